import { describe, expect, it } from 'vitest';
import { TYPE_A, TYPE_AAAA, decodeAnswer, decodeQuery, encodeAnswer, encodeQuery } from './dns-packet.js';

// A query for signal.example.com A as resolvers send it (RFC 1035 4.1.1-4.1.2, id 0x1a2b, RD set), assembled by hand.
const DIG_QUERY = Buffer.from('1a2b01000001000000000000067369676e616c076578616d706c6503636f6d0000010001', 'hex');

describe('DNS packets', () => {
  it('decodes a resolver query: id, RD, lower-cased name, type and class', () => {
    const q = decodeQuery(DIG_QUERY)!;
    expect(q).toMatchObject({ id: 0x1a2b, opcode: 0, recursionDesired: true, name: 'signal.example.com', type: TYPE_A, qclass: 1 });
    expect(q.raw.toString('hex')).toBe(DIG_QUERY.subarray(12).toString('hex'));
    const upper = Buffer.from(DIG_QUERY);
    upper.write('SIGNAL', 13, 'latin1');
    expect(decodeQuery(upper)!.name).toBe('signal.example.com');
  });

  it('encodes queries the way resolvers do', () => {
    expect(encodeQuery(0x1a2b, 'signal.example.com').toString('hex')).toBe(DIG_QUERY.toString('hex'));
  });

  it('answers with A records byte for byte: QR, AA, RD, RA, the question, a name pointer, TTL', () => {
    const q = decodeQuery(DIG_QUERY)!;
    const a = encodeAnswer(q, { rcode: 'NOERROR', addresses: ['203.0.113.254'], ttl: 60 });
    expect(a.subarray(0, 12).toString('hex')).toBe('1a2b' + '8580' + '0001' + '0001' + '0000' + '0000');
    expect(a.subarray(a.length - 16).toString('hex')).toBe('c00c' + '0001' + '0001' + '0000003c' + '0004' + 'cb0071fe');
    expect(decodeAnswer(a)).toEqual({ id: 0x1a2b, rcode: 0, authoritative: true, addresses: ['203.0.113.254'], ttls: [60] });
  });

  it('NXDOMAIN and NODATA carry the question and no record', () => {
    const q = decodeQuery(encodeQuery(7, 'nothing.example.com', TYPE_AAAA))!;
    const nx = encodeAnswer(q, { rcode: 'NXDOMAIN', addresses: [], ttl: 0 });
    expect(nx.readUInt16BE(2) & 0xf).toBe(3);
    expect(decodeAnswer(nx)).toMatchObject({ id: 7, rcode: 3, addresses: [] });
    const nodata = decodeAnswer(encodeAnswer(q, { rcode: 'NOERROR', addresses: [], ttl: 60 }));
    expect(nodata).toMatchObject({ rcode: 0, addresses: [] });
  });

  it('refuses what is not one well-formed question', () => {
    expect(decodeQuery(DIG_QUERY.subarray(0, 20))).toBeNull(); // truncated
    const response = Buffer.from(DIG_QUERY);
    response[2] |= 0x80;
    expect(decodeQuery(response)).toBeNull();
    const two = Buffer.from(DIG_QUERY);
    two.writeUInt16BE(2, 4);
    expect(decodeQuery(two)).toBeNull();
    const longLabel = Buffer.from(DIG_QUERY);
    longLabel[12] = 64;
    expect(decodeQuery(longLabel)).toBeNull();
    const pointer = Buffer.from(DIG_QUERY);
    pointer[12] = 0xc0;
    expect(decodeQuery(pointer)).toBeNull();
    expect(decodeQuery(Buffer.alloc(0))).toBeNull();
  });
});
