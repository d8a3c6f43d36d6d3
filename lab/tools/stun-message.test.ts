import { describe, expect, it } from 'vitest';
import { MAGIC_COOKIE, bindingRequest, isStun, mappedAddress } from './stun-message.js';

const txid = Buffer.from('0102030405060708090a0b0c', 'hex');

function response(ip: number[], port: number, id = txid): Buffer {
  const msg = Buffer.alloc(32);
  msg.writeUInt16BE(0x0101, 0);
  msg.writeUInt16BE(12, 2);
  msg.writeUInt32BE(MAGIC_COOKIE, 4);
  id.copy(msg, 8);
  msg.writeUInt16BE(0x0020, 20);
  msg.writeUInt16BE(8, 22);
  msg[25] = 0x01;
  msg.writeUInt16BE(port ^ (MAGIC_COOKIE >>> 16), 26);
  msg.writeUInt32BE((Buffer.from(ip).readUInt32BE(0) ^ MAGIC_COOKIE) >>> 0, 28);
  return msg;
}

describe('STUN binding', () => {
  it('builds a 20-byte request with the magic cookie', () => {
    const req = bindingRequest(txid);
    expect(req.length).toBe(20);
    expect(isStun(req)).toBe(true);
    expect(req.readUInt16BE(0)).toBe(1);
  });
  it('reads XOR-MAPPED-ADDRESS', () => {
    expect(mappedAddress(response([203, 0, 113, 4], 40602), txid)).toEqual({ address: '203.0.113.4', port: 40602 });
  });
  it('ignores responses to other transactions and non-STUN data', () => {
    expect(mappedAddress(response([203, 0, 113, 4], 1), Buffer.alloc(12)), ).toBeNull();
    expect(mappedAddress(Buffer.from('punch'), txid)).toBeNull();
  });
});
