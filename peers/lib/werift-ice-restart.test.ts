import { describe, expect, it } from 'vitest';
import { asReoffer, sdpOrigin } from './werift-ice-restart.js';

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
