/**
 * Whether a failed run says something about the network, or only that the machine could not keep
 * up. Pure: the run samples the machine (machine-load.ts) and hands the figures in.
 *
 * A run is inconclusive, not failed, only when both hold:
 *   - the machine was saturated (CPU pressure, or a load average well above its cores), and
 *   - the lab itself was visibly slow: a peer took far longer than its baseline to load, or a
 *     session found its path (ICE connected) and then missed the CPU-bound JavaScript DTLS
 *     handshake, or took far longer than its baseline for it;
 * and every check that failed is one starvation can cause: a session that never connected, or a
 * time budget. A session that connected the wrong way (relay where direct was expected) is an
 * answer, and stays a failure; so does a session that never found a path on a machine that kept up.
 * Runs with black-box (app, browser) peers are never inconclusive (build-run-result.ts).
 */
import type { ExpectationCheck, SessionResult } from '../model/run-result.js';

export interface MachineLoad {
  cpus: number;
  /** 1-minute load average, the highest sampled during the run. */
  loadAvg1: number;
  /** /proc/pressure/cpu "some avg10" (% of the last 10 s some task waited for a CPU), highest sampled; null without PSI. */
  cpuPressure: number | null;
}

/** What this machine does when it keeps up (2 vCPU, docs/benchmarks.md): a werift peer loads in ~0.3-0.6 s, DTLS ~0.3 s. */
export const BASELINE = { peerStartMs: 600, dtlsMs: 300 } as const;
/** "Far slower" than a baseline. */
export const SLOWDOWN = 4;
/** CPU pressure (% some, avg10) at or above which the machine counts as saturated. */
export const PRESSURE_SATURATED = 40;
/** Load average per core at or above which the machine counts as saturated (used when there is no PSI, and beside it). */
export const LOAD_PER_CPU_SATURATED = 1.5;

export interface PaceFacts {
  failedChecks: ExpectationCheck[];
  sessions: Pick<SessionResult, 'viewer' | 'outcome' | 'timeline'>[];
  /** Per contract peer: spawn -> its "started" event, ms; null when it never said started. */
  peerStartMs: { name: string; ms: number | null }[];
  load: MachineLoad;
}

/** Reasons the run is inconclusive (saturation first), or null when its verdict stands. */
export function inconclusiveReasons(f: PaceFacts): string[] | null {
  if (!f.failedChecks.length) return null;
  if (!f.failedChecks.every((c) => starvationCanCause(c))) return null;
  const saturation = saturated(f.load);
  if (!saturation) return null;
  const slow: string[] = [];
  for (const p of f.peerStartMs) {
    if (p.ms !== null && p.ms > SLOWDOWN * BASELINE.peerStartMs) slow.push(`peer ${p.name} took ${Math.round(p.ms)} ms to load (baseline ~${BASELINE.peerStartMs} ms)`);
  }
  for (const s of f.sessions) {
    const { iceConnected, dtlsConnected } = s.timeline;
    if (iceConnected === null) continue;
    if (dtlsConnected === null) slow.push(`session ${s.viewer}: ICE connected (a path was found) but the DTLS handshake never finished`);
    else if (dtlsConnected - iceConnected > SLOWDOWN * BASELINE.dtlsMs) slow.push(`session ${s.viewer}: DTLS took ${Math.round(dtlsConnected - iceConnected)} ms after ICE connected (baseline ~${BASELINE.dtlsMs} ms)`);
  }
  return slow.length ? [saturation, ...slow] : null;
}

function starvationCanCause(c: ExpectationCheck): boolean {
  if (/Ms\.(max|p50|p95)$/.test(c.name)) return true;
  return (c.name === 'outcome' || c.name === 'viewerOutcome') && c.actual === 'failed';
}

/** Why the machine counts as saturated, in words, or null when it kept up. */
export function saturated(load: MachineLoad): string | null {
  const perCpu = load.loadAvg1 / Math.max(1, load.cpus);
  const parts: string[] = [];
  if (load.cpuPressure !== null && load.cpuPressure >= PRESSURE_SATURATED) parts.push(`CPU pressure ${load.cpuPressure.toFixed(0)}% (some, avg10)`);
  if (perCpu >= LOAD_PER_CPU_SATURATED) parts.push(`load average ${load.loadAvg1.toFixed(1)} on ${load.cpus} CPU(s)`);
  return parts.length ? `the machine was saturated: ${parts.join(', ')}` : null;
}
