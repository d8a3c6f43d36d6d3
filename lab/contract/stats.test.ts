import { describe, expect, it } from 'vitest';
import { candidatePairsFromStats, candidateView, selectedPairFromStats, type StatsRecord } from './stats.js';

// Shaped like werift's and Chrome's getStats(): a transport pointing at a pair, its two candidates.
const stats = (opts: { selected?: boolean; chromeRelay?: boolean } = {}): StatsRecord[] => [
  { id: 'T1', type: 'transport', ...(opts.selected === false ? {} : { selectedCandidatePairId: 'CP2' }) },
  { id: 'CP1', type: 'candidate-pair', localCandidateId: 'L1', remoteCandidateId: 'R1', state: 'failed', nominated: false, requestsSent: 4, responsesReceived: 0 },
  { id: 'CP2', type: 'candidate-pair', localCandidateId: 'L2', remoteCandidateId: 'R1', state: 'succeeded', nominated: true, currentRoundTripTime: 0.01234, requestsSent: 2 },
  { id: 'L1', type: 'local-candidate', candidateType: 'host', protocol: 'UDP', address: '192.168.1.2', port: 40000 },
  { id: 'L2', type: 'local-candidate', candidateType: 'relay', protocol: 'udp', ip: '203.0.113.3', port: 50000, ...(opts.chromeRelay ? { relayProtocol: 'tls' } : {}) },
  { id: 'R1', type: 'remote-candidate', candidateType: 'srflx', protocol: 'udp', address: '198.51.100.2', port: 61000 },
];

describe('stats -> candidate views', () => {
  it('the transport\'s selected pair, with the TURN transport the peer was given for its relay end', () => {
    expect(selectedPairFromStats(stats(), { localRelayProtocol: 'udp' })).toEqual({
      local: { candidateType: 'relay', protocol: 'udp', address: '203.0.113.3', port: 50000, relayProtocol: 'udp' },
      remote: { candidateType: 'srflx', protocol: 'udp', address: '198.51.100.2', port: 61000, relayProtocol: null },
      rttMs: 12.3,
    });
  });

  it('a relayProtocol the stack reports wins over the configured one (Chrome)', () => {
    expect(selectedPairFromStats(stats({ chromeRelay: true }), { localRelayProtocol: 'udp' })!.local.relayProtocol).toBe('tls');
  });

  it('falls back to the nominated pair when the transport names none; null without a pair', () => {
    expect(selectedPairFromStats(stats({ selected: false }))!.local.port).toBe(50000);
    expect(selectedPairFromStats(stats().filter((s) => s.type !== 'candidate-pair'))).toBeNull();
  });

  it('every pair, with its check counts (null when the stack does not count)', () => {
    const pairs = candidatePairsFromStats(stats());
    expect(pairs.map((p) => [p.local.candidateType, p.remote.candidateType, p.state, p.nominated, p.requestsSent, p.responsesReceived])).toEqual([
      ['host', 'srflx', 'failed', false, 4, 0],
      ['relay', 'srflx', 'succeeded', true, 2, null],
    ]);
    expect(pairs[0].local.protocol).toBe('udp');
  });

  it('an unknown candidate id gives an "unknown" end rather than throwing', () => {
    expect(candidateView(undefined)).toEqual({ candidateType: 'unknown', protocol: '', address: '', port: 0, relayProtocol: null });
  });
});
