import { describe, expect, it } from 'vitest';
import type { PeerSpec } from '../model/scenario.js';
import { checkExpectations } from './expectations.js';
import { sessionResult } from './session-result.js';

const spec = (name: string, role: 'viewer' | 'camera', turn: ('udp' | 'tcp' | 'tls')[] = ['udp']): PeerSpec => ({
  name,
  kind: role === 'camera' ? 'pi-camera' : 'viewer',
  role,
  host: 'a',
  profile: 'kvs',
  ice: { policy: 'all', turnTransports: turn, trickle: true },
});
const end = (candidateType: string, address = '203.0.113.4', relayProtocol: string | null = null) => ({ candidateType, protocol: 'udp', address, port: 5000, relayProtocol });

const viewerEvents = [
  { t: 900, event: 'signaling-connected' },
  { t: 950, event: 'ice-config-fetched' },
  { t: 1000, event: 'offer-sent' },
  { t: 1100, event: 'answer-received', session: 'camera' },
  { t: 1110, event: 'ice-state', state: 'checking' },
  { t: 1150, event: 'ice-state', state: 'connected' },
  { t: 1400, event: 'dtls-connected' },
  { t: 1405.26, event: 'first-frame' },
  { t: 1410, event: 'datachannel-open' },
  { t: 1411, event: 'selected-pair', pair: { local: end('relay', '203.0.113.2', 'tls'), remote: end('relay', '203.0.113.2'), rttMs: 4 } },
  { t: 1412, event: 'local-candidate', candidate: 'candidate:1 1 udp 1 192.168.1.2 5 typ host' },
];
const cameraEvents = [
  { t: 1005, event: 'offer-received', session: 'viewer' },
  { t: 1411, event: 'selected-pair', session: 'viewer', pair: { local: end('relay', '203.0.113.2', 'udp'), remote: end('relay'), rttMs: 5 } },
  { t: 1411, event: 'selected-pair', session: 'other', pair: { local: end('host'), remote: end('host'), rttMs: 5 } },
];

describe('session result', () => {
  const s = sessionResult({ viewer: spec('viewer', 'viewer', ['tls']), camera: spec('camera', 'camera', ['udp']), viewerEvents, cameraEvents, viewerExit: 0, killedBecause: null, contractProblems: [] });

  it('puts every step on a timeline from the offer', () => {
    expect(s.timeline).toEqual({ signalingConnected: -100, iceConfigFetched: -50, offerSent: 0, answerReceived: 100, gatheringComplete: null, iceChecking: 110, iceConnected: 150, dtlsConnected: 400, datachannelOpen: 410, firstFrame: 405.3 });
    expect(s.setupMs).toBe(410);
    expect(s.firstFrameMs).toBe(405.3);
  });

  it('classifies a relayed pair and fills the far side relay transport from its configuration', () => {
    expect(s.outcome).toBe('relay');
    expect(s.selectedPair.viewer!.remote.relayProtocol).toBe('udp');
    expect(s.selectedPair.camera!.remote.relayProtocol).toBe('tls');
    expect(s.candidateTypes).toEqual({ viewer: 'relay', camera: 'relay' });
  });

  it("takes each side's last selected pair of the connection: a camera that followed a later nomination reported it again", () => {
    const direct = { local: end('host', '192.168.2.2'), remote: end('srflx', '203.0.113.4'), rttMs: 3 };
    const moved = sessionResult({
      viewer: spec('viewer', 'viewer'),
      camera: spec('camera', 'camera'),
      viewerEvents: viewerEvents.map((e) => (e.event === 'selected-pair' ? { ...e, pair: { local: end('srflx', '203.0.113.4'), remote: end('srflx', '203.0.113.5'), rttMs: 3 } } : e)),
      cameraEvents: [...cameraEvents, { t: 1415, event: 'selected-pair', session: 'viewer', pair: direct }],
      viewerExit: 0,
      killedBecause: null,
      contractProblems: [],
    });
    expect(moved.selectedPair.camera).toEqual(direct);
    expect(moved.outcome).toBe('direct');
    expect(moved.asymmetric).toBe(false);
  });

  it("keeps the first connection's pair when a held call made a new one (the call result tells the rest)", () => {
    const later = { local: end('host', '192.168.1.2'), remote: end('srflx', '203.0.113.9'), rttMs: 3 };
    const restarted = sessionResult({
      viewer: spec('viewer', 'viewer'),
      camera: spec('camera', 'camera'),
      viewerEvents: [...viewerEvents, { t: 4000, event: 'ice-restart', session: 'camera', attempt: 1, reason: 'no frame', method: 'new-peer-connection' }, { t: 4500, event: 'selected-pair', pair: later }],
      cameraEvents: [...cameraEvents, { t: 4100, event: 'offer-received', session: 'viewer' }, { t: 4500, event: 'selected-pair', session: 'viewer', pair: later }],
      viewerExit: 0,
      killedBecause: null,
      contractProblems: [],
    });
    expect(restarted.selectedPair.viewer!.local.candidateType).toBe('relay');
    expect(restarted.selectedPair.camera!.local.candidateType).toBe('relay');
  });

  it('a viewer that never got a frame failed, with its own words', () => {
    const failed = sessionResult({ viewer: spec('viewer', 'viewer'), camera: spec('camera', 'camera'), viewerEvents: [...viewerEvents.slice(0, 3), { t: 5000, event: 'error', message: 'no first video frame within 4000 ms', stage: 'ICE' }], cameraEvents: [], viewerExit: 1, killedBecause: null, contractProblems: [] });
    expect(failed.outcome).toBe('failed');
    expect(failed.failure).toBe('viewer viewer: no first video frame within 4000 ms (while ICE)');
  });

  it('expectations name what was expected and what happened', () => {
    const checks = checkExpectations({ outcome: 'direct', relayProtocol: 'tls', setupMs: { max: 300, p95: 1000 } }, [s]);
    expect(checks).toEqual([
      { name: 'outcome', session: 'viewer', expected: 'direct', actual: 'relay', ok: false },
      { name: 'relayProtocol', session: 'viewer', expected: 'tls', actual: 'tls', ok: true },
      { name: 'setupMs.max', session: 'viewer', expected: '< 300 ms', actual: '410 ms', ok: false },
      { name: 'setupMs.p95', session: null, expected: '< 1000 ms over 1 session(s)', actual: '410 ms', ok: true },
    ]);
    expect(checkExpectations({ outcome: 'connected' }, [s])[0].ok).toBe(true);
  });
});
