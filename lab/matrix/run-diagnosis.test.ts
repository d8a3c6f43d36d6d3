import { describe, expect, it } from 'vitest';
import type { RunResult } from '../model/run-result.js';
import { diagnoseRun, overruledByWire, reachedPrediction } from './run-diagnosis.js';

const end = (candidateType: string, address: string, port: number, relayProtocol: string | null = null) => ({ candidateType, protocol: 'udp', address, port, relayProtocol });
const path = (kind: 'direct' | 'relay', from: string, to: string) => ({ kind, from, to, relays: [] });

const run = (outcome: string) =>
  ({
    sessions: [
      {
        outcome,
        asymmetric: outcome === 'relay',
        failure: null,
        prediction: { outcome: 'direct', iceTransportPolicy: 'all' },
        selectedPair: {
          viewer: { local: end('srflx', '203.0.113.4', 1000), remote: end('srflx', '203.0.113.5', 2000), rttMs: 3 },
          camera: { local: end('host', '192.168.2.2', 2000), remote: end('relay', '203.0.113.3', 3000, 'udp'), rttMs: 9 },
        },
        wire: { directions: [{ from: 'viewer', to: 'camera', settledPath: path('direct', '203.0.113.4:1000', '203.0.113.5:2000') }, { from: 'camera', to: 'viewer', path: path('relay', '203.0.113.5:2000', '203.0.113.3:3000') }] },
      },
    ],
  }) as unknown as RunResult;

describe('diagnoseRun', () => {
  it("names the class, both peers' pairs and where each direction settled (or its main path)", () => {
    expect(diagnoseRun(run('relay'))).toEqual([
      'relay (asymmetric); viewer selected srflx 203.0.113.4:1000 -> srflx 203.0.113.5:2000; camera selected host 192.168.2.2:2000 -> relay/udp 203.0.113.3:3000; wire: viewer->camera settled direct 203.0.113.4:1000 -> 203.0.113.5:2000; camera->viewer settled relay 203.0.113.5:2000 -> 203.0.113.3:3000',
    ]);
    expect(reachedPrediction(run('relay'))).toBe(false);
    expect(reachedPrediction(run('direct'))).toBe(true);
  });
});

describe('overruledByWire', () => {
  const session = (outcome: string, cameraRemote: string, wire: boolean) => ({
    sessions: [
      {
        outcome,
        selectedPair: {
          viewer: { local: end('srflx', '203.0.113.4', 1000), remote: end('srflx', '203.0.113.5', 2000), rttMs: 3 },
          camera: { local: end('host', '192.168.2.2', 2000), remote: end(cameraRemote, '203.0.113.3', 3000), rttMs: 9 },
        },
        wire: wire ? { directions: [] } : null,
      },
    ],
  }) as unknown as RunResult;

  it('is true when the class differs from what the peers reported: the wire decided it', () => {
    expect(overruledByWire(session('direct', 'relay', true))).toBe(true); // camera reported relay, both settled direct
    expect(overruledByWire(session('relay', 'srflx', true))).toBe(true); // both reported direct, a direction settled on TURN
  });

  it('is false when the peers agree with the class, with no wire, or for a failed session', () => {
    expect(overruledByWire(session('direct', 'srflx', true))).toBe(false);
    expect(overruledByWire(session('relay', 'relay', true))).toBe(false);
    expect(overruledByWire(session('direct', 'relay', false))).toBe(false);
    expect(overruledByWire(session('failed', 'relay', true))).toBe(false);
  });
});
