import { describe, expect, it } from 'vitest';
import { parseRtp } from './rtp.js';

describe('RTP header', () => {
  it('finds the payload after CSRCs and a header extension, and drops padding', () => {
    const pkt = Buffer.from([
      0xb1, 0xe0, 0x12, 0x34, 0, 0, 0x03, 0xe8, 0xde, 0xad, 0xbe, 0xef, // V=2 P=1 X=1 CC=1, M=1 PT=96
      0, 0, 0, 1, // CSRC
      0xbe, 0xde, 0, 1, 1, 2, 3, 4, // extension, one word
      0x65, 0x88, // payload
      0, 2, // padding, 2 bytes
    ]);
    const r = parseRtp(pkt)!;
    expect(r).toMatchObject({ payloadType: 96, marker: true, sequenceNumber: 0x1234, timestamp: 1000, ssrc: 0xdeadbeef });
    expect([...r.payload]).toEqual([0x65, 0x88]);
  });
  it('rejects what is not RTP', () => {
    expect(parseRtp(Buffer.from('hello world!'))).toBeNull();
  });
});
