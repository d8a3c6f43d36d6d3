/**
 * A held call -> what happened during it: frames per second, outages (gaps in the frames), each
 * network event with the time the call took to recover from it and the pair it recovered on, and
 * one timeline of the lab's events and the peers' state changes. Pure. Every ms counts from the
 * viewer's first frame, the same origin as the events' `atMs`.
 */
import type { PairView } from '../contract/events.js';
import type { CallEventResult, CallResult, CallTimelineEntry, Outage, SessionWire, WireDirection, WirePath } from '../model/run-result.js';
import { relays } from '../model/run-result.js';
import type { AppliedCallEvent } from '../network/call-schedule.js';
import { round } from '../util/clock.js';
import { describePath } from '../wire/path-text.js';
import type { PeerEvent } from './peer-process.js';

export interface CallInput {
  holdMs: number;
  viewerEvents: PeerEvent[];
  /** This session's camera events only. */
  cameraEvents: PeerEvent[];
  /** The camera's frame rate (its `started` event), for frames lost in an outage. */
  cameraFps: number | null;
  applied: AppliedCallEvent[];
  /** This session's wire view, when the run captured its internet; null otherwise. */
  wire?: SessionWire | null;
  /** The monotonic time the wire's ms count from (the run's start). */
  wireStartT?: number;
}

/** An outage begins at most this long after an event to be the event's doing. */
const CAUSE_WINDOW_MS = 2500;

export function callResult(input: CallInput): CallResult | null {
  const v = input.viewerEvents;
  const first = v.find((e) => e.event === 'first-frame');
  if (!first) return null;
  const t0 = first.t;
  const ms = (t: number | null) => (t === null ? null : round(t - t0));
  const fps = v
    .filter((e) => e.event === 'frame-rate')
    .map((e) => ({ tMs: round(e.t - t0), fps: round((Number(e.frames) * 1000) / Math.max(1, Number(e.windowMs))), windowMs: Number(e.windowMs) }));
  const nominal = input.cameraFps ?? median(fps.filter((f) => f.windowMs >= 900).map((f) => f.fps)) ?? 25;
  const events = input.applied.map((a) => ({
    ...a,
    appliedMs: ms(a.appliedT),
    restoredMs: ms(a.restoredT),
    restoreStartedMs: ms(a.restoreStartedT),
    restoreExecMs: a.restoreStartedT !== null && a.restoredT !== null ? round(a.restoredT - a.restoreStartedT) : null,
  }));

  const outages: Outage[] = v
    .filter((e) => e.event === 'media-gap')
    .map((e) => {
      const startMs = round(Number(e.fromT) - t0);
      const endMs = round(Number(e.toT) - t0);
      return { startMs, endMs, durationMs: round(endMs - startMs), framesLost: Math.max(0, Math.round(((endMs - startMs) * nominal) / 1000) - 1), ongoing: e.ongoing === true, cause: null };
    });

  const pairs = (list: PeerEvent[]) => list.filter((e) => e.event === 'selected-pair' && e.pair).map((e) => ({ tMs: round(e.t - t0), pair: e.pair as PairView }));
  const viewerPairs = pairs(v);
  const cameraPairs = pairs(input.cameraEvents);
  const wire = input.wire && input.wireStartT !== undefined ? wirePaths(input.wire, input.wireStartT - t0) : null;

  // Each outage's cause: of the events that began at most CAUSE_WINDOW_MS before it (a command may
  // bite before it returns: a docker handover cuts the link ~0.7 s before it is done), the last to
  // begin before the outage did; an outage under way when events begin goes to the first of them.
  const begin = (e: (typeof events)[number]) => (e.startedT === null ? e.appliedMs! : round(e.startedT - t0));
  const causeOf = outages.map((x) => {
    const near = events.filter((e) => e.appliedMs !== null && x.endMs >= begin(e) - 100 && x.startMs <= begin(e) + CAUSE_WINDOW_MS).sort((a, b) => begin(a) - begin(b));
    return near.filter((e) => begin(e) <= x.startMs + 100).at(-1) ?? near[0] ?? null;
  });
  causeOf.forEach((e, o) => (outages[o].cause = e?.label ?? null));

  const results: CallEventResult[] = events.map((e, i) => {
    const base = { index: e.index, label: e.label, kind: e.kind, atMs: e.atMs, appliedMs: e.appliedMs, restoredMs: e.restoredMs, restoreStartedMs: e.restoreStartedMs, restoreExecMs: e.restoreExecMs, detail: e.detail, error: e.error };
    if (e.appliedMs === null) return { ...base, recoveryMs: null, outage: null, pairAfter: null, wireAfter: null };
    const back = networkBackMs(e, events.slice(i + 1), t0);
    const o = causeOf.indexOf(e);
    const outage = o >= 0 ? outages[o] : null;
    const recoveryMs = outage ? (outage.ongoing ? null : round(Math.max(0, outage.endMs - back))) : 0;
    const after = outage ? outage.endMs : e.appliedMs;
    const pairAfter = viewerPairs.find((p) => p.tMs >= after - 50)?.pair ?? [...viewerPairs].reverse().find((p) => p.tMs <= after)?.pair ?? null;
    const wireAfter = wire ? { viewerToCamera: wire.at(0, after), cameraToViewer: wire.at(1, after) } : null;
    return { ...base, recoveryMs, outage: o >= 0 ? o : null, pairAfter, wireAfter: wireAfter && (wireAfter.viewerToCamera || wireAfter.cameraToViewer) ? wireAfter : null };
  });

  const lastViewer = viewerPairs.at(-1)?.pair ?? null;
  const lastCamera = cameraPairs.at(-1)?.pair ?? null;
  const endsDown = outages.some((o) => o.ongoing);
  const full = fps.filter((f) => f.windowMs >= 900).map((f) => f.fps);
  return {
    holdMs: input.holdMs,
    fps: fps.map(({ tMs, fps: f }) => ({ tMs, fps: f })),
    minFps: full.length ? Math.min(...full) : null,
    nominalFps: nominal,
    events: results,
    outages,
    restarts: v.filter((e) => e.event === 'ice-restart').length,
    finalPath: endsDown || !lastViewer ? null : relays(lastViewer) || relays(lastCamera) ? 'relay' : 'direct',
    timeline: [...timeline(t0, events, v, input.cameraEvents), ...(wire?.timeline(input.holdMs) ?? [])].sort((a, b) => a.tMs - b.tMs),
  };
}

/**
 * When the network was back after an event, ms from the first frame. A timed event (forMs): when
 * its undo command was issued, not when it returned: the network comes back somewhere in between,
 * and on docker the exec takes 50-100 ms, often longer than frames take to flow again (counting
 * from the return read 0 after a real outage). A `stop` is undone by the `start` after it, once
 * that start has returned (coturn listens then). An instant event counts from when its command
 * began: it may bite before the command returns.
 */
export function networkBackMs(
  e: Pick<AppliedCallEvent, 'kind' | 'label' | 'startedT'> & { appliedMs: number | null; restoredMs: number | null; restoreStartedMs: number | null },
  later: { kind: string; label: string; appliedMs: number | null }[],
  t0: number,
): number {
  if (e.restoreStartedMs !== null) return e.restoreStartedMs;
  if (e.restoredMs !== null) return e.restoredMs;
  const service = e.label.split(' ')[1];
  const start = e.kind === 'stop' ? later.find((x) => x.kind === 'start' && x.label.endsWith(service) && x.appliedMs !== null) : undefined;
  if (start) return start.appliedMs!;
  return e.startedT === null ? e.appliedMs! : round(e.startedT - t0);
}

/**
 * The wire's path changes on the call's clock (ms from the first frame): the path in effect at a
 * time, per direction (0: viewer -> camera, 1: camera -> viewer), and the changes during the hold.
 */
function wirePaths(w: SessionWire, offsetMs: number) {
  const changes = (d: WireDirection) => (d.pathChanges ?? []).map((c) => ({ tMs: round(c.tMs + offsetMs), path: c.path }));
  const byDirection = w.directions.map(changes);
  return {
    /** The path of the last change at or before tMs; before the first change, none. */
    at(direction: 0 | 1, tMs: number): WirePath | null {
      return [...byDirection[direction]].reverse().find((c) => c.tMs <= tMs)?.path ?? null;
    },
    timeline(holdMs: number): CallTimelineEntry[] {
      return w.directions.flatMap((d, i) =>
        byDirection[i].filter((c) => c.tMs >= 0 && c.tMs <= holdMs).map((c) => ({ tMs: c.tMs, source: 'wire' as const, what: `${d.from} -> ${d.to} now ${describePath(c.path)}` })),
      );
    },
  };
}

function timeline(t0: number, events: (AppliedCallEvent & { appliedMs: number | null; restoredMs: number | null; restoreStartedMs: number | null; restoreExecMs: number | null })[], viewer: PeerEvent[], camera: PeerEvent[]): CallTimelineEntry[] {
  const out: CallTimelineEntry[] = [];
  for (const e of events) {
    if (e.appliedMs !== null) out.push({ tMs: e.appliedMs, source: 'lab', what: `${e.label}${e.detail ? ` (${e.detail})` : ''}` });
    if (e.restoredMs !== null) out.push({ tMs: e.restoreStartedMs ?? e.restoredMs, source: 'lab', what: `${e.label}: restored${e.restoreExecMs !== null ? ` (its command took ${e.restoreExecMs} ms)` : ''}` });
    if (e.error) out.push({ tMs: e.appliedMs ?? (e.startedT === null ? e.atMs : round(e.startedT - t0)), source: 'lab', what: `${e.label} failed: ${e.error}` });
  }
  const fromPeer = (source: 'viewer' | 'camera', list: PeerEvent[]) => {
    for (const e of list) {
      if (e.t < t0) continue;
      const what = describe(e);
      if (what) out.push({ tMs: round(e.t - t0), source, what });
      if (e.event === 'media-gap') out.push({ tMs: round(Number(e.fromT) - t0), source, what: 'frames stopped' });
    }
  };
  fromPeer('viewer', viewer);
  fromPeer('camera', camera);
  return out.sort((a, b) => a.tMs - b.tMs);
}

function describe(e: PeerEvent): string | null {
  switch (e.event) {
    case 'ice-state':
      return `ICE ${e.state}`;
    case 'connection-state':
      return `DTLS/connection ${e.state}`;
    case 'ice-restart':
      return `restart ${e.attempt} (${e.method}): ${e.reason}`;
    case 'media-gap':
      return e.ongoing ? 'frames still stopped at the end of the hold' : 'frames back';
    case 'selected-pair': {
      const p = e.pair as PairView | null;
      return p ? `pair ${p.local.candidateType} ${p.local.protocol} ${p.local.address}:${p.local.port} <-> ${p.remote.candidateType} ${p.remote.address}:${p.remote.port}` : 'no selected pair';
    }
    case 'offer-received':
      return 'offer received (a restart)';
    default:
      return null;
  }
}

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
