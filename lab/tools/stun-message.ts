/** The smallest useful part of STUN (RFC 5389): a Binding request and the XOR-MAPPED-ADDRESS of its response. */
export const MAGIC_COOKIE = 0x2112a442;
const BINDING_REQUEST = 0x0001;
const BINDING_SUCCESS = 0x0101;
const XOR_MAPPED_ADDRESS = 0x0020;
const MAPPED_ADDRESS = 0x0001;

export function bindingRequest(transactionId: Buffer): Buffer {
  if (transactionId.length !== 12) throw new Error('a STUN transaction id has 12 bytes');
  const msg = Buffer.alloc(20);
  msg.writeUInt16BE(BINDING_REQUEST, 0);
  msg.writeUInt16BE(0, 2);
  msg.writeUInt32BE(MAGIC_COOKIE, 4);
  transactionId.copy(msg, 8);
  return msg;
}

export function isStun(msg: Buffer): boolean {
  return msg.length >= 20 && (msg[0] & 0xc0) === 0 && msg.readUInt32BE(4) === MAGIC_COOKIE;
}

/** The mapped (public) address in a Binding success response for this transaction, else null. */
export function mappedAddress(msg: Buffer, transactionId: Buffer): { address: string; port: number } | null {
  if (!isStun(msg) || msg.readUInt16BE(0) !== BINDING_SUCCESS || !msg.subarray(8, 20).equals(transactionId)) return null;
  const end = Math.min(msg.length, 20 + msg.readUInt16BE(2));
  let plain: { address: string; port: number } | null = null;
  for (let off = 20; off + 4 <= end; ) {
    const type = msg.readUInt16BE(off);
    const len = msg.readUInt16BE(off + 2);
    const value = msg.subarray(off + 4, off + 4 + len);
    if (value.length === len && len >= 8 && value[1] === 0x01) {
      if (type === XOR_MAPPED_ADDRESS) {
        const port = value.readUInt16BE(2) ^ (MAGIC_COOKIE >>> 16);
        const addr = (value.readUInt32BE(4) ^ MAGIC_COOKIE) >>> 0;
        return { address: [24, 16, 8, 0].map((s) => (addr >>> s) & 255).join('.'), port };
      }
      if (type === MAPPED_ADDRESS) plain = { address: [...value.subarray(4, 8)].join('.'), port: value.readUInt16BE(2) };
    }
    off += 4 + len + ((4 - (len % 4)) % 4);
  }
  return plain;
}
