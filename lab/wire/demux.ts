/**
 * What a datagram (or a TURN frame) carries, by its first byte (RFC 7983 with TURN channels, RFC
 * 8656 section 12), and the few STUN/TURN fields the oracle reads.
 */
export type PacketClass = 'stun' | 'dtls' | 'rtp' | 'channel' | 'other';

export function classOf(data: Uint8Array): PacketClass {
  if (!data.length) return 'other';
  const b = data[0];
  if (b <= 3) return 'stun';
  if (b >= 20 && b <= 63) return 'dtls';
  if (b >= 64 && b <= 127) return 'channel';
  if (b >= 128 && b <= 191) return 'rtp';
  return 'other';
}

export const DTLS_APPLICATION_DATA = 23;

/**
 * A DTLS record that carries application data (SCTP): content type 23 (DTLS 1.2), or a DTLS 1.3
 * unified header (RFC 9147 section 4: 0b001CSLEE) outside epoch 2, the encrypted handshake's.
 * Chromium negotiates DTLS 1.3 with another Chromium; werift and libdatachannel speak 1.2.
 */
export function isDtlsApplicationData(data: Uint8Array): boolean {
  const b = data[0];
  return b === DTLS_APPLICATION_DATA || ((b & 0xe0) === 0x20 && (b & 0x03) !== 2);
}

export const METHOD = { binding: 0x001, allocate: 0x003, refresh: 0x004, send: 0x006, data: 0x007, createPermission: 0x008, channelBind: 0x009 } as const;
export type StunClass = 'request' | 'indication' | 'success' | 'error';
const CLASSES: StunClass[] = ['request', 'indication', 'success', 'error'];

const ATTR = { username: 0x0006, channelNumber: 0x000c, xorPeerAddress: 0x0012, data: 0x0013, xorRelayedAddress: 0x0016 } as const;
const MAGIC = 0x2112a442;

export interface StunMessage {
  method: number;
  cls: StunClass;
  transactionId: string;
  username: string | null;
  /** XOR-PEER-ADDRESS (the first one), "ip:port". */
  peer: string | null;
  relayed: string | null;
  channel: number | null;
  /** DATA of a Send or Data indication. */
  data: Uint8Array | null;
}

/** A STUN message, or null if the bytes are not one (wrong cookie, cut short). */
export function parseStun(d: Uint8Array): StunMessage | null {
  if (d.length < 20 || d[0] > 3) return null;
  const u16 = (o: number) => (d[o] << 8) | d[o + 1];
  const u32 = (o: number) => ((d[o] << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3]) >>> 0;
  if (u32(4) !== MAGIC) return null;
  const type = u16(0);
  const msg: StunMessage = {
    method: (type & 0xf) | ((type >> 1) & 0x70) | ((type >> 2) & 0xf80),
    cls: CLASSES[((type >> 7) & 2) | ((type >> 4) & 1)],
    transactionId: Buffer.from(d.subarray(8, 20)).toString('hex'),
    username: null, peer: null, relayed: null, channel: null, data: null,
  };
  const end = Math.min(d.length, 20 + u16(2));
  for (let off = 20; off + 4 <= end; ) {
    const at = u16(off);
    const len = u16(off + 2);
    const v = d.subarray(off + 4, off + 4 + len);
    if (v.length < len) break;
    if (at === ATTR.username) msg.username ??= Buffer.from(v).toString('utf8');
    else if (at === ATTR.xorPeerAddress) msg.peer ??= xorAddress(v);
    else if (at === ATTR.xorRelayedAddress) msg.relayed ??= xorAddress(v);
    else if (at === ATTR.channelNumber && len >= 2) msg.channel = (v[0] << 8) | v[1];
    else if (at === ATTR.data) msg.data = v;
    off += 4 + len + ((4 - (len % 4)) % 4);
  }
  return msg;
}

/** An XOR-*-ADDRESS value (IPv4 only) as "ip:port". */
function xorAddress(v: Uint8Array): string | null {
  if (v.length < 8 || v[1] !== 0x01) return null;
  const port = ((v[2] << 8) | v[3]) ^ (MAGIC >>> 16);
  const ip = [0, 1, 2, 3].map((i) => v[4 + i] ^ ((MAGIC >>> (24 - 8 * i)) & 255)).join('.');
  return `${ip}:${port}`;
}

/** A ChannelData message: its channel number and the data it carries (its own length, not the padding). */
export function parseChannelData(d: Uint8Array): { channel: number; data: Uint8Array } | null {
  if (d.length < 4 || d[0] < 0x40 || d[0] > 0x7f) return null;
  const len = (d[2] << 8) | d[3];
  return { channel: (d[0] << 8) | d[1], data: d.subarray(4, 4 + len) };
}
