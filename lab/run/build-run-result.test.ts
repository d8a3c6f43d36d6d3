import { describe, expect, it } from 'vitest';
import { loadScenario } from '../model/scenario.js';
import { projectPath } from '../util/paths.js';
import type { AppFacts } from './app-peer.js';
import type { PeerEvent } from './peer-process.js';
import { buildRunResult, type PeerFacts, type RunFacts } from './build-run-result.js';

const end = (candidateType: string, address = '203.0.113.4') => ({ candidateType, protocol: 'udp', address, port: 5000, relayProtocol: candidateType === 'relay' ? 'udp' : null });
const pair = (type: string) => ({ local: end(type, '203.0.113.2'), remote: end(type), rttMs: 3 });

function viewerEvents(type: string): PeerEvent[] {
  return [
    { t: 1000, event: 'started', stack: 'werift' },
    { t: 1200, event: 'offer-sent' },
    { t: 1300, event: 'ice-state', state: 'connected' },
    { t: 1500, event: 'datachannel-open' },
    { t: 1550, event: 'first-frame' },
    { t: 1560, event: 'selected-pair', pair: pair(type) },
  ];
}

const peer = (name: string, events: PeerEvent[], over: Partial<PeerFacts> = {}): PeerFacts => ({ name, events, stderr: ['a line of stderr'], violations: [], exitCode: 0, peakRssMb: 80, ...over });

function facts(scenario: string, type: string, over: Partial<RunFacts> = {}): RunFacts {
  return {
    runId: 'r1',
    scenario: loadScenario(scenario),
    backend: 'netns',
    labId: 'abc123',
    startedAt: '2026-12-01T00:00:00.000Z',
    marks: { start: 900, labUp: 1100, servicesReady: 1250, end: 2400 },
    peers: [peer('camera', [{ t: 1010, event: 'started', stack: 'werift' }, { t: 1560, event: 'selected-pair', session: 'viewer', pair: pair(type) }]), peer('viewer', viewerEvents(type))],
    killed: {},
    cameraEndedEarly: false,
    captures: [],
    wire: { captured: false, reason: 'not captured in this test' },
    serviceLogs: { coturn: ['coturn line'], services: ['services line'] },
    teardown: { ok: true, failures: [], ms: 120 },
    ...over,
  };
}

describe('buildRunResult', () => {
  it('turns collected facts into the result: sessions, checks, overhead from the run start', () => {
    const r = buildRunResult(facts('symmetric-nat', 'relay'));
    expect(r.outcome).toBe('relay');
    expect(r.passed).toBe(true);
    expect(r.setupMs).toBe(300);
    expect(r.overhead).toEqual({ labUpMs: 200, servicesReadyMs: 350, peersStartedMs: 110, teardownMs: 120, wallMs: 1500 });
    expect(r.events.viewer[0]).toMatchObject({ t: 100, event: 'started' });
    expect(r.peers.map((p) => [p.name, p.stack, p.stderr])).toEqual([['camera', 'werift', []], ['viewer', 'werift', []]]);
    expect(r.logs).toBeNull();
  });

  it('keeps logs and stderr only when the run failed its expectations', () => {
    const r = buildRunResult(facts('full-cone', 'relay'));
    expect(r.passed).toBe(false);
    expect(r.logs).toEqual({ coturn: ['coturn line'], services: ['services line'] });
    expect(r.peers[1].stderr).toEqual(['a line of stderr']);
  });

  it('stores the prediction each session was judged against, ICE policy included', () => {
    expect(buildRunResult(facts('symmetric-nat', 'relay')).sessions[0].prediction).toEqual({ outcome: 'relay', iceTransportPolicy: 'all' });
    expect(buildRunResult(facts('port-restricted-cone', 'srflx')).sessions[0].prediction).toEqual({ outcome: 'direct', iceTransportPolicy: 'all' });
    // The NATs of relay-forced would connect directly; its peers gather relay candidates only.
    expect(buildRunResult(facts('relay-forced', 'relay')).sessions[0].prediction).toEqual({ outcome: 'relay', iceTransportPolicy: 'relay' });
  });

  it('records teardown failures instead of losing them', () => {
    const failures = [{ step: 'take the lab down', message: 'could not remove namespaces wrl-abc123-a' }];
    const r = buildRunResult(facts('symmetric-nat', 'relay', { teardown: { ok: false, failures, ms: 30 } }));
    expect(r.teardown).toEqual({ ok: false, failures });
    expect(r.overhead.teardownMs).toBe(30);
    expect(r.passed).toBe(true);
  });

  it('a viewer stopped by the lab and a camera that left early fail with their reasons', () => {
    const r = buildRunResult(
      facts('symmetric-nat', 'relay', {
        peers: [peer('camera', [], { exitCode: 1 }), peer('viewer', viewerEvents('relay').slice(0, 2), { exitCode: null })],
        killed: { viewer: 'no result within 20000 ms, stopped by the lab' },
        cameraEndedEarly: true,
      }),
    );
    expect(r.outcome).toBe('failed');
    expect(r.sessions[0].failure).toContain('no result within 20000 ms, stopped by the lab');
    expect(r.sessions[0].failure).toContain('exited with code 1 while the viewers waited, without printing any event');
    expect(r.overhead.peersStartedMs).toBeNull();
  });

  it("the wire's view goes in each session, compared with that session's selected pairs; its cost in result.wire", () => {
    const count = { packets: 5, bytes: 500 };
    const dir = (from: string, to: string) => ({ from, to, path: { kind: 'direct' as const, from: '203.0.113.4:1', to: '203.0.113.5:2', relays: [] }, otherPaths: [], firstStunCheckMs: 1, firstDtlsMs: 2, firstMediaMs: 3, dtls: count, sctp: count, rtp: count, countedPastTls: false });
    const session = { outcome: 'direct' as const, directions: [dir('viewer', 'camera'), dir('camera', 'viewer')] as [ReturnType<typeof dir>, ReturnType<typeof dir>], disagreements: [], notes: [] };
    const wire = { captured: true as const, sessions: [session], packets: 200, dropped: 0, files: [], waitMs: 0, stopMs: 4.04, parseMs: 6 };
    // The peers say relay (each side's pair relays); the wire saw both directions go direct.
    const r = buildRunResult(facts('symmetric-nat', 'relay', { wire }));
    expect(r.wire).toEqual({ captured: true, packets: 200, dropped: 0, addedMs: 10, parseMs: 6 });
    expect(r.sessions[0].wire!.disagreements).toEqual([
      'outcome: the wire says direct, the peers relay',
      expect.stringMatching(/^viewer -> camera: viewer's selected pair is relay, its packets went direct/),
      expect.stringMatching(/^camera -> viewer: camera's selected pair is relay, its packets went direct/),
    ]);
    expect(buildRunResult(facts('full-cone', 'srflx', { wire })).sessions[0].wire!.disagreements).toEqual([]);
    const none = buildRunResult(facts('symmetric-nat', 'relay'));
    expect([none.wire, none.sessions[0].wire]).toEqual([{ captured: false, reason: 'not captured in this test' }, null]);
  });

  it('a session both peers call direct, whose packets went through TURN one way, relays and is asymmetric: expecting direct fails', () => {
    const count = { packets: 5, bytes: 500 };
    const direct = { kind: 'direct' as const, from: '203.0.113.4:1', to: '203.0.113.5:2', relays: [] };
    const relayed = { kind: 'relay' as const, from: '203.0.113.5:2', to: '203.0.113.2:3478', relays: [{ owner: 'camera', server: '203.0.113.2:3478', transport: 'udp' as const, relayedAddress: '203.0.113.3:50000' }] };
    const dir = (from: string, to: string, path: typeof direct | typeof relayed) => ({ from, to, path, otherPaths: [], firstStunCheckMs: 1, firstDtlsMs: 2, firstMediaMs: 3, dtls: count, sctp: count, rtp: count, countedPastTls: false });
    const wireOf = (back: typeof direct | typeof relayed) => ({ captured: true as const, sessions: [{ outcome: back.kind, directions: [dir('viewer', 'camera', direct), dir('camera', 'viewer', back)] as [ReturnType<typeof dir>, ReturnType<typeof dir>], disagreements: [], notes: [] }], packets: 200, dropped: 0, files: [], waitMs: 0, stopMs: 0, parseMs: 1 });
    // full-cone expects direct; the peers report srflx pairs on both sides.
    const asym = buildRunResult(facts('full-cone', 'srflx', { wire: wireOf(relayed) }));
    expect([asym.sessions[0].outcome, asym.sessions[0].asymmetric, asym.passed]).toEqual(['relay', true, false]);
    expect(asym.expectations.find((c) => c.name === 'outcome')).toMatchObject({ expected: 'direct', actual: 'relay', ok: false });
    const both = buildRunResult(facts('full-cone', 'srflx', { wire: wireOf(direct) }));
    expect([both.sessions[0].outcome, both.sessions[0].asymmetric, both.passed]).toEqual(['direct', false, true]);
    // Most bytes went over TURN before a late switch, but the direction settled direct: direct.
    const late = wireOf(relayed);
    late.sessions[0].directions[1] = { ...late.sessions[0].directions[1], settledPath: direct } as never;
    expect(buildRunResult(facts('full-cone', 'srflx', { wire: late })).sessions[0].outcome).toBe('direct');
    // A peer reported a relay pair, and both directions settled direct: direct (the disagreement is kept).
    const left = wireOf(relayed);
    left.sessions[0].directions[1] = { ...left.sessions[0].directions[1], settledPath: direct } as never;
    const moved = buildRunResult(facts('full-cone', 'relay', { wire: left }));
    expect([moved.sessions[0].outcome, moved.sessions[0].asymmetric]).toEqual(['direct', false]);
    expect(moved.sessions[0].wire!.disagreements.length).toBeGreaterThan(0);
    // One direction still settled on TURN: it stays relay.
    expect(buildRunResult(facts('full-cone', 'relay', { wire: wireOf(relayed) })).sessions[0].outcome).toBe('relay');
  });

  it('a black-box (kind "app") session takes its outcome from the wire; failed when an app failed or the wire saw nothing', () => {
    const count = { packets: 5, bytes: 500 };
    const dir = (from: string, to: string) => ({ from, to, path: { kind: 'relay' as const, from: null, to: null, relays: [] }, otherPaths: [], firstStunCheckMs: 1, firstDtlsMs: 2, firstMediaMs: null, dtls: count, sctp: count, rtp: { packets: 0, bytes: 0 }, countedPastTls: false });
    const session = { outcome: 'relay' as const, directions: [dir('caller', 'callee'), dir('callee', 'caller')] as [ReturnType<typeof dir>, ReturnType<typeof dir>], disagreements: [], notes: [] };
    const wire = { captured: true as const, sessions: [session], packets: 100, dropped: 0, files: [], waitMs: 0, stopMs: 1, parseMs: 1 };
    const app = (name: string, a: Partial<AppFacts>): PeerFacts => ({ name, events: [{ t: 1300, event: 'started', stack: 'app', by: 'lab' }], stderr: [], violations: [], exitCode: 0, peakRssMb: null, app: { browser: false, startedAt: 1300, verdict: { ok: true, via: 'exit', at: 2000 }, exitedAt: 2000, stdout: ['done'], stderrTail: [], ...a } });
    const scenario = loadScenario(projectPath('examples', 'cli-app', 'symmetric.yaml'));
    const run = (peers: PeerFacts[], w: RunFacts['wire'] = wire) => buildRunResult({ ...facts('symmetric-nat', 'relay'), scenario, peers, wire: w });
    const ok = run([app('callee', {}), app('caller', { verdict: { ok: true, via: 'log', at: 1900 } })]);
    expect([ok.outcome, ok.sessions[0].failure, ok.sessions[0].wire?.outcome]).toEqual(['relay', null, 'relay']);
    expect(ok.peers.map((p) => [p.name, p.role, p.stack, p.app?.doneBy, p.app?.doneMs, p.app?.startedMs])).toEqual([['callee', 'camera', 'app', 'exit', 1100, 400], ['caller', 'viewer', 'app', 'log', 1000, 400]]);
    const appFailed = run([app('callee', { verdict: { ok: false, failure: 'exited with code 3 before it was done', at: 1500 } }), app('caller', {})]);
    expect([appFailed.outcome, appFailed.sessions[0].failure]).toEqual(['failed', 'app callee: exited with code 3 before it was done']);
    expect(appFailed.peers[0].app?.failure).toBe('exited with code 3 before it was done');
    const nothingSeen = run([app('callee', {}), app('caller', {})], { ...wire, sessions: [{ ...session, outcome: null }] });
    expect([nothingSeen.outcome, nothingSeen.sessions[0].failure]).toEqual(['failed', 'the app(s) said done, but the wire saw no working path between caller and callee']);
    const noCapture = run([app('callee', {}), app('caller', {})], { captured: false, reason: 'tcpdump missing' });
    expect(noCapture.outcome).toBe('failed');
    expect(noCapture.sessions[0].failure).toContain('tcpdump missing');
  });
});

describe('buildRunResult: inconclusive', () => {
  // The viewer's ICE connected, then nothing: no DTLS, no frame, exit 1.
  const stalled: PeerEvent[] = [{ t: 1000, event: 'started', stack: 'werift' }, { t: 1200, event: 'offer-sent' }, { t: 1300, event: 'ice-state', state: 'connected' }];
  const stalledRun = (load: RunFacts['load'], spawnedAt = 950) =>
    facts('port-restricted-cone', 'host', {
      peers: [peer('camera', [{ t: 1010, event: 'started', stack: 'werift' }], { spawnedAt }), peer('viewer', stalled, { exitCode: 1, spawnedAt })],
      load,
    });

  it('a stalled DTLS on a saturated machine: inconclusive, with the reasons and the machine in the result', () => {
    const load = { cpus: 2, loadAvg1: 6, cpuPressure: 90 };
    const r = buildRunResult(stalledRun(load));
    expect([r.passed, r.verdict, r.outcome]).toEqual([false, 'inconclusive', 'failed']);
    expect(r.inconclusive).toEqual(['the machine was saturated: CPU pressure 90% (some, avg10), load average 6.0 on 2 CPU(s)', 'session viewer: ICE connected (a path was found) but the DTLS handshake never finished']);
    expect(r.machine).toEqual(load);
  });

  it('the same run on a machine that kept up, or without load samples: failed', () => {
    expect(buildRunResult(stalledRun({ cpus: 2, loadAvg1: 0.5, cpuPressure: 2 })).verdict).toBe('failed');
    expect(buildRunResult(stalledRun(null)).verdict).toBe('failed');
  });

  it('a passing run is passed whatever the load', () => {
    const r = buildRunResult(facts('symmetric-nat', 'relay', { load: { cpus: 2, loadAvg1: 9, cpuPressure: 99 } }));
    expect([r.verdict, r.inconclusive]).toEqual(['passed', null]);
  });
});
