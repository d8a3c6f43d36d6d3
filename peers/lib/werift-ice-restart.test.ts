import { describe, expect, it } from 'vitest';
import { Candidate, type RTCPeerConnection } from 'werift';
import { advertiseServerReflexive, asReoffer, sdpOrigin } from './werift-ice-restart.js';

const offer = (origin: string) => `v=0\r\no=${origin} IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=ice-ufrag:abcd\r\n`;

describe('a werift restart offer', () => {
  it('keeps the first offer session id and takes the version it is given', () => {
    const first = sdpOrigin(offer('- 12345678 0'))!;
    expect(first).toEqual({ sessionId: '12345678', version: 0 });
    const again = asReoffer(offer('- 87654321 0'), first, 1);
    expect(sdpOrigin(again)).toEqual({ sessionId: '12345678', version: 1 });
    expect(again).toContain('a=ice-ufrag:abcd');
    expect(again.split('\r\n')).toHaveLength(offer('- 1 0').split('\r\n').length);
  });

  it('finds no origin in an SDP without an o= line', () => {
    expect(sdpOrigin('v=0\r\ns=-\r\n')).toBe(null);
  });
});

describe('after a werift restart', () => {
  const host = (address: string, port: number) => new Candidate('1', 1, 'udp', 2130706431, address, port, 'host', undefined, undefined, undefined, 0, 'old');
  const fakePc = (mapped: [string, number] | null, existing: Candidate[] = []) => {
    const appended: Candidate[] = [];
    const protocol = (c: Candidate) => ({
      localCandidate: c,
      request: async () => {
        if (!mapped) throw new Error('timeout');
        return [{ getAttributeValue: () => mapped }];
      },
    });
    const connection = {
      generation: 2,
      localUsername: 'newu',
      stunServer: ['203.0.113.2', 3478],
      localCandidates: existing,
      protocols: [protocol(host('192.168.1.2', 5000)), protocol(host('fe80::1', 5002))],
      appendLocalCandidate: (c: Candidate) => appended.push(c),
    };
    return { pc: { iceTransports: [{ connection }] } as unknown as RTCPeerConnection, appended };
  };

  it('advertises the STUN server answer as a srflx candidate of the new generation, from IPv4 host sockets only', async () => {
    const { pc, appended } = fakePc(['203.0.113.4', 40000]);
    await advertiseServerReflexive(pc, 500);
    expect(appended.map((c) => [c.type, c.host, c.port, c.relatedAddress, c.generation, c.ufrag])).toEqual([['srflx', '203.0.113.4', 40000, '192.168.1.2', 2, 'newu']]);
  });

  it('adds nothing when STUN does not answer, or when that srflx is already advertised', async () => {
    const silent = fakePc(null);
    await advertiseServerReflexive(silent.pc, 50);
    expect(silent.appended).toEqual([]);
    const known = new Candidate('2', 1, 'udp', 1694498815, '203.0.113.4', 40000, 'srflx', '192.168.1.2', 5000, undefined, 2, 'newu');
    const again = fakePc(['203.0.113.4', 40000], [known]);
    await advertiseServerReflexive(again.pc, 500);
    expect(again.appended).toEqual([]);
  });
});
