import { describe, expect, it } from 'vitest';
import type { PairView, SessionWire, WireDirection, WirePath } from '../model/run-result.js';
import { loadScenario } from '../model/scenario.js';
import { disagreements, publicAddresses, wireContext } from './wire-view.js';

const end = (candidateType: string, relayProtocol: string | null = null) => ({ candidateType, protocol: 'udp', address: '203.0.113.3', port: 5000, relayProtocol });
const pair = (local: string, remote: string, relayProtocol: string | null = null): PairView => ({ local: end(local, relayProtocol), remote: end(remote), rttMs: 1 });
const count = { packets: 10, bytes: 1000 };
const direct: WirePath = { kind: 'direct', from: '203.0.113.4:1', to: '203.0.113.5:2', relays: [] };
const relayed = (owner: string, transport: 'udp' | 'tcp' | 'tls'): WirePath => ({ kind: 'relay', from: null, to: null, relays: [{ owner, server: '203.0.113.2:3478', transport, relayedAddress: '203.0.113.3:6000' }] });
const dir = (from: string, to: string, path: WirePath): WireDirection => ({ from, to, path, otherPaths: [], firstStunCheckMs: 1, firstDtlsMs: 2, firstMediaMs: 3, dtls: count, sctp: count, rtp: count, countedPastTls: false });
const wire = (outcome: SessionWire['outcome'], v2c: WirePath, c2v: WirePath): SessionWire => ({ outcome, directions: [dir('viewer', 'camera', v2c), dir('camera', 'viewer', c2v)], disagreements: [], notes: [] });

describe('disagreements', () => {
  it('none when each direction went as its sender selected', () => {
    expect(disagreements(wire('relay', relayed('camera', 'udp'), relayed('camera', 'udp')), { outcome: 'relay', viewer: pair('host', 'relay'), camera: pair('relay', 'prflx', 'udp') })).toEqual([]);
  });

  it('a direction the wire saw direct while its sender selected a relay pair (the Chromium x werift case)', () => {
    const found = disagreements(wire('relay', direct, relayed('camera', 'udp')), { outcome: 'relay', viewer: pair('relay', 'srflx', 'udp'), camera: pair('relay', 'prflx', 'udp') });
    expect(found).toEqual([expect.stringMatching(/^viewer -> camera: viewer's selected pair is relay, its packets went direct/)]);
  });

  it('the outcome and the relay transport', () => {
    const found = disagreements(wire('relay', relayed('viewer', 'tcp'), relayed('viewer', 'tcp')), { outcome: 'direct', viewer: pair('relay', 'srflx', 'udp'), camera: pair('srflx', 'relay') });
    expect(found).toEqual(['outcome: the wire says relay, the peers direct', expect.stringMatching(/viewer reports TURN over udp, the wire shows tcp/)]);
  });
});

describe('wireContext', () => {
  it("takes each peer's outermost NAT's public address, and the services' TURN endpoints", () => {
    const s = loadScenario('cgnat');
    const ctx = wireContext(s, [], 0);
    const t = s.topology;
    for (const p of ctx.peers) {
      const host = [s.camera, ...s.viewers].find((x) => x.name === p.name)!.host;
      expect(p.publicAddresses).toEqual(publicAddresses(t, host));
      expect(t.segments.find((g) => g.name === 'internet')!.subnet.startsWith(p.publicAddresses[0].split('.').slice(0, 3).join('.'))).toBe(true);
    }
    expect(ctx.turn.addresses).toEqual(t.services.addresses);
  });
});
