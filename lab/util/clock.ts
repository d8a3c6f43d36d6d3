/**
 * The lab's one clock: CLOCK_MONOTONIC in milliseconds (libuv's hrtime), shared by every process
 * on the machine, so events from the lab, its services and every peer fall on one timeline.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export function round(ms: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(ms * f) / f;
}
