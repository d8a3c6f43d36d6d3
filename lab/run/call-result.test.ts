import { describe, expect, it } from 'vitest';
import type { AppliedCallEvent } from '../network/call-schedule.js';
import { checkExpectations } from './expectations.js';
import { callResult } from './call-result.js';
import type { PeerEvent } from './peer-process.js';

const T0 = 10_000;
const pair = (local: string, remote: string, port: number) => ({ local: { candidateType: local, protocol: 'udp', address: '192.168.1.2', port, relayProtocol: null }, remote: { candidateType: remote, protocol: 'udp', address: '203.0.113.5', port: 4000, relayProtocol: null }, rttMs: 3 });
const viewer: PeerEvent[] = [
  { t: T0, event: 'first-frame', session: 'camera' },
  { t: T0 + 5, event: 'selected-pair', session: 'camera', pair: pair('host', 'srflx', 1111) },
  ...Array.from({ length: 10 }, (_, i) => ({ t: T0 + 1000 * (i + 1), event: 'frame-rate', session: 'camera', frames: i === 4 || i === 5 ? 0 : 25, windowMs: 1000 })),
  { t: T0 + 5600, event: 'ice-restart', session: 'camera', attempt: 1, reason: 'no frame for 1500 ms', method: 'new-peer-connection' },
  { t: T0 + 6500, event: 'media-gap', session: 'camera', fromT: T0 + 4010, toT: T0 + 6500 },
  { t: T0 + 6510, event: 'selected-pair', session: 'camera', pair: pair('host', 'relay', 2222) },
];
const applied = (over: Partial<AppliedCallEvent>): AppliedCallEvent => ({ index: 0, label: 'rebind nata', kind: 'rebind', atMs: 4000, startedT: T0 + 4000, appliedT: T0 + 4100, restoreStartedT: null, restoredT: null, detail: null, error: null, ...over });

describe('a held call', () => {
  it('measures outages against the camera frame rate, each event recovery and the pair after it', () => {
    const c = callResult({ holdMs: 10_000, viewerEvents: viewer, cameraEvents: [], cameraFps: 25, applied: [applied({})] })!;
    expect(c.outages).toEqual([{ startMs: 4010, endMs: 6500, durationMs: 2490, framesLost: 61, ongoing: false, cause: 'rebind nata' }]);
    expect(c.events[0]).toMatchObject({ appliedMs: 4100, recoveryMs: 2500, outage: 0 });
    expect(c.events[0].pairAfter!.local.port).toBe(2222);
    expect(c.minFps).toBe(0);
    expect(c.restarts).toBe(1);
    expect(c.finalPath).toBe('relay');
    expect(c.timeline.map((t) => t.what)).toContain('restart 1 (new-peer-connection): no frame for 1500 ms');
  });

  it('counts a timed event from its undoing, a TURN stop from the start after it, and an outage that never ended as no recovery', () => {
    const timed = callResult({ holdMs: 10_000, viewerEvents: viewer, cameraEvents: [], cameraFps: 25, applied: [applied({ kind: 'linkDown', label: 'linkDown nata/wan0 2000 ms', restoredT: T0 + 6100 })] })!;
    expect(timed.events[0].recoveryMs).toBe(400);
    const turn = callResult({ holdMs: 10_000, viewerEvents: viewer, cameraEvents: [], cameraFps: 25, applied: [applied({ kind: 'stop', label: 'stop turn' }), applied({ index: 1, kind: 'start', label: 'start turn', atMs: 6000, startedT: T0 + 6000, appliedT: T0 + 6200 })] })!;
    expect(turn.events.map((e) => e.recoveryMs)).toEqual([300, 0]);
    const down = [...viewer.filter((e) => e.event !== 'media-gap'), { t: T0 + 10_000, event: 'media-gap', session: 'camera', fromT: T0 + 4010, toT: T0 + 10_000, ongoing: true }];
    const never = callResult({ holdMs: 10_000, viewerEvents: down, cameraEvents: [], cameraFps: 25, applied: [applied({})] })!;
    expect(never.events[0].recoveryMs).toBe(null);
    expect(never.finalPath).toBe(null);
    const checks = checkExpectations({ recovery: { maxMs: 5000 }, outage: { maxMs: 3000 }, afterEvents: 'connected' }, [{ viewer: 'viewer', call: never } as never]);
    expect(checks.map((k) => [k.name, k.actual, k.ok])).toEqual([
      ['recovery.events[0] rebind nata', 'frames never came back', false],
      ['outage.max', 'longest 5990 ms (never ended) after rebind nata, 1 outage(s)', false],
      ['afterEvents', 'no frames at the end', false],
    ]);
  });

  it('counts a timed event from when its undo was issued, not when the command returned (docker exec is slower than the frames)', () => {
    // The undo is issued at 6400 ms; its docker exec returns at 6590; frames are back at 6500.
    const timed = applied({ kind: 'block', label: 'block nata udp 2000 ms', restoreStartedT: T0 + 6400, restoredT: T0 + 6590 });
    const c = callResult({ holdMs: 10_000, viewerEvents: viewer, cameraEvents: [], cameraFps: 25, applied: [timed] })!;
    expect(c.events[0]).toMatchObject({ restoreStartedMs: 6400, restoredMs: 6590, restoreExecMs: 190, recoveryMs: 100 });
    expect(c.timeline.find((t) => t.what.startsWith('block nata udp 2000 ms: restored'))).toEqual({ tMs: 6400, source: 'lab', what: 'block nata udp 2000 ms: restored (its command took 190 ms)' });
    // Frames back before the undo was even issued: the call found another path, no recovery wait.
    const early = callResult({ holdMs: 10_000, viewerEvents: viewer, cameraEvents: [], cameraFps: 25, applied: [{ ...timed, restoreStartedT: T0 + 6700, restoredT: T0 + 6790 }] })!;
    expect(early.events[0].recoveryMs).toBe(0);
  });

  it('an outage goes to the last event that began before it, even one that bit before its command returned', () => {
    // As on docker: a handover's disconnect cuts the link ~0.7 s before the connect returns.
    const events = [
      applied({ index: 0, kind: 'stop', label: 'stop signaling', atMs: 3000, startedT: T0 + 3000, appliedT: T0 + 3100 }),
      applied({ index: 1, kind: 'handover', label: 'handover a -> lanc', atMs: 4000, startedT: T0 + 3950, appliedT: T0 + 4700 }),
    ];
    const c = callResult({ holdMs: 10_000, viewerEvents: viewer, cameraEvents: [], cameraFps: 25, applied: events })!;
    expect(c.outages.map((o) => o.cause)).toEqual(['handover a -> lanc']);
    expect(c.events.map((e) => [e.label, e.outage, e.recoveryMs])).toEqual([
      ['stop signaling', null, 0],
      ['handover a -> lanc', 0, 2550],
    ]);
  });

  it('reads the path after each recovery from the wire, on the call clock, and puts the wire path changes in the timeline', () => {
    const direct = { kind: 'direct' as const, from: '203.0.113.4:1111', to: '203.0.113.5:4000', relays: [] };
    const relayed = { kind: 'relay' as const, from: '203.0.113.4:2222', to: null, relays: [{ owner: 'viewer', server: '203.0.113.3:3478', transport: 'udp' as const, relayedAddress: '203.0.113.3:50000' }] };
    // The wire counts from the run's start, 2000 ms before the first frame (T0).
    const dir = (from: string, to: string, pathChanges: { tMs: number; path: typeof direct | typeof relayed }[]) =>
      ({ from, to, path: direct, otherPaths: [], pathChanges, firstStunCheckMs: null, firstDtlsMs: null, firstMediaMs: null, dtls: { packets: 0, bytes: 0 }, sctp: { packets: 0, bytes: 0 }, rtp: { packets: 0, bytes: 0 }, countedPastTls: false });
    const wire = {
      outcome: 'relay' as const,
      directions: [dir('viewer', 'camera', [{ tMs: 1500, path: direct }, { tMs: 8300, path: relayed }]), dir('camera', 'viewer', [{ tMs: 1600, path: direct }, { tMs: 8400, path: relayed }])] as [ReturnType<typeof dir>, ReturnType<typeof dir>],
      disagreements: [],
      notes: [],
    };
    const c = callResult({ holdMs: 10_000, viewerEvents: viewer, cameraEvents: [], cameraFps: 25, applied: [applied({})], wire, wireStartT: T0 - 2000 })!;
    // Frames came back at 6500 ms of the call = 8500 ms of the run: both directions relayed by then.
    expect(c.events[0].wireAfter).toEqual({ viewerToCamera: relayed, cameraToViewer: relayed });
    expect(c.timeline.filter((t) => t.source === 'wire').map((t) => [t.tMs, t.what])).toEqual([
      [6300, "viewer -> camera now RELAY via viewer's TURN/udp 203.0.113.3:50000 (203.0.113.4:2222 -> ?)"],
      [6400, "camera -> viewer now RELAY via viewer's TURN/udp 203.0.113.3:50000 (203.0.113.4:2222 -> ?)"],
    ]);
    // An event before the switch sees the direct path; no capture, no wire view.
    const early = callResult({ holdMs: 10_000, viewerEvents: viewer, cameraEvents: [], cameraFps: 25, applied: [applied({ atMs: 500, startedT: T0 + 500, appliedT: T0 + 500 })], wire, wireStartT: T0 - 2000 })!;
    expect(early.events[0].wireAfter).toEqual({ viewerToCamera: direct, cameraToViewer: direct });
    expect(callResult({ holdMs: 10_000, viewerEvents: viewer, cameraEvents: [], cameraFps: 25, applied: [applied({})] })!.events[0].wireAfter).toBe(null);
  });

  it('no first frame, no call', () => {
    expect(callResult({ holdMs: 1000, viewerEvents: [], cameraEvents: [], cameraFps: 25, applied: [] })).toBe(null);
  });
});
