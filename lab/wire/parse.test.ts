// The pcap reader, TCP reassembly and the STUN/TURN demux on hand-made bytes: the cases the
// recorded captures may not show (cooked v1, nanosecond files, out-of-order TCP, cut records).
import { describe, expect, it } from 'vitest';
import { loggedAllocations } from './coturn-log.js';
import { METHOD, classOf, isDtlsApplicationData, parseChannelData, parseStun } from './demux.js';
import { PcapError, readPcap, type IpPacket } from './pcap.js';
import { turnTcpFrames } from './tcp-stream.js';

const MAGIC = 0x2112a442;

function ipv4(proto: 6 | 17, src: string, dst: string, l4: Buffer): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + l4.length, 2);
  h[8] = 64;
  h[9] = proto;
  src.split('.').forEach((b, i) => (h[12 + i] = Number(b)));
  dst.split('.').forEach((b, i) => (h[16 + i] = Number(b)));
  return Buffer.concat([h, l4]);
}

function udp(sport: number, dport: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([h, payload]);
}

function tcp(sport: number, dport: number, seq: number, payload: Buffer, flags = 0x18): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt32BE(seq >>> 0, 4);
  h[12] = 5 << 4;
  h[13] = flags;
  return Buffer.concat([h, payload]);
}

function pcap(link: number, frames: { t: number; frame: Buffer }[], opts: { little?: boolean; nano?: boolean } = {}): Buffer {
  const le = opts.little ?? true;
  const w32 = (b: Buffer, v: number, o: number) => (le ? b.writeUInt32LE(v >>> 0, o) : b.writeUInt32BE(v >>> 0, o));
  const head = Buffer.alloc(24);
  w32(head, opts.nano ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  w32(head, 65535, 16);
  w32(head, link, 20);
  const recs = frames.map(({ t, frame }) => {
    const r = Buffer.alloc(16);
    w32(r, Math.floor(t / 1000), 0);
    w32(r, Math.round((t % 1000) * (opts.nano ? 1e6 : 1e3)), 4);
    w32(r, frame.length, 8);
    w32(r, frame.length, 12);
    return Buffer.concat([r, frame]);
  });
  return Buffer.concat([head, ...recs]);
}

const ether = (ip: Buffer) => Buffer.concat([Buffer.alloc(12), Buffer.from([0x08, 0x00]), ip]);
const sll = (ip: Buffer) => { const h = Buffer.alloc(16); h.writeUInt16BE(0x0800, 14); return Buffer.concat([h, ip]); };
const sll2 = (ip: Buffer) => { const h = Buffer.alloc(20); h.writeUInt16BE(0x0800, 0); return Buffer.concat([h, ip]); };

function stun(type: number, attrs: [number, Buffer][], tx = Buffer.alloc(12, 7)): Buffer {
  const body = Buffer.concat(attrs.map(([t, v]) => {
    const h = Buffer.alloc(4);
    h.writeUInt16BE(t, 0);
    h.writeUInt16BE(v.length, 2);
    return Buffer.concat([h, v, Buffer.alloc((4 - (v.length % 4)) % 4)]);
  }));
  const h = Buffer.alloc(20);
  h.writeUInt16BE(type, 0);
  h.writeUInt16BE(body.length, 2);
  h.writeUInt32BE(MAGIC, 4);
  tx.copy(h, 8);
  return Buffer.concat([h, body]);
}

function xorAddr(ip: string, port: number): Buffer {
  const v = Buffer.alloc(8);
  v[1] = 1;
  v.writeUInt16BE(port ^ (MAGIC >>> 16), 2);
  v.writeUInt32BE((ip.split('.').reduce((n, b) => n * 256 + Number(b), 0) ^ MAGIC) >>> 0, 4);
  return v;
}

describe('readPcap', () => {
  const dtls = Buffer.from([22, 0xfe, 0xfd, 0, 0]);
  const frame = ipv4(17, '203.0.113.4', '203.0.113.5', udp(4000, 5000, dtls));

  it('reads Ethernet, cooked v1 and v2, microsecond and nanosecond, either byte order', () => {
    for (const [link, wrap] of [[1, ether], [113, sll], [276, sll2], [101, (b: Buffer) => b]] as const) {
      for (const opts of [{ little: true }, { little: false, nano: true }]) {
        const [p] = readPcap(pcap(link, [{ t: 1_700_000_000_123.5, frame: wrap(frame) }], opts));
        expect(p).toMatchObject({ proto: 'udp', src: '203.0.113.4', srcPort: 4000, dst: '203.0.113.5', dstPort: 5000, length: 5 });
        expect(Buffer.from(p.payload)).toEqual(dtls);
        expect(p.t).toBeCloseTo(1_700_000_000_123.5, 2);
      }
    }
  });

  it('skips what is not IPv4 UDP/TCP, and a last record cut short', () => {
    const arp = Buffer.concat([Buffer.alloc(12), Buffer.from([0x08, 0x06]), Buffer.alloc(28)]);
    const file = pcap(1, [{ t: 1, frame: arp }, { t: 2, frame: ether(frame) }, { t: 3, frame: ether(frame) }]);
    expect(readPcap(file.subarray(0, file.length - 3))).toHaveLength(1);
  });

  it('says what is wrong with a file it cannot read', () => {
    expect(() => readPcap(Buffer.from('0a0d0d0a' + '00'.repeat(20), 'hex'))).toThrow(/pcapng/);
    expect(() => readPcap(pcap(228, []))).toThrow(PcapError);
    expect(() => readPcap(Buffer.alloc(4))).toThrow(/24/);
  });
});

describe('turnTcpFrames', () => {
  const at = (t: number, seq: number, payload: Buffer, flags?: number): IpPacket => readPcap(pcap(101, [{ t, frame: ipv4(6, '203.0.113.4', '203.0.113.2', tcp(40000, 3478, seq, payload, flags)) }]))[0];
  const a = stun(0x0003, [[0x0006, Buffer.from('1:viewer')]]);
  const cd = Buffer.concat([Buffer.from([0x40, 0x00, 0x00, 0x05]), Buffer.from([128, 1, 2, 3, 4]), Buffer.alloc(3)]); // padded to 4

  it('cuts STUN and padded ChannelData frames across segments, in sequence order, once', () => {
    const stream = Buffer.concat([a, cd, cd]);
    const isn = 0xfffffff0; // wraps around 2^32 inside the stream
    const cut1 = 10, cut2 = a.length + 6;
    const frames = turnTcpFrames([
      at(1, isn, Buffer.alloc(0), 0x02),
      at(2, (isn + 1 + cut2) >>> 0, stream.subarray(cut2)), // arrives early
      at(3, (isn + 1) >>> 0, stream.subarray(0, cut1)),
      at(4, (isn + 1) >>> 0, stream.subarray(0, cut1)), // retransmission
      at(5, (isn + 1 + cut1) >>> 0, stream.subarray(cut1, cut2)),
    ]);
    expect(frames.map((f) => [f.t, f.data.length])).toEqual([[5, a.length], [5, 9], [5, 9]]);
    expect(parseChannelData(frames[1].data)).toMatchObject({ channel: 0x4000 });
    expect([...parseChannelData(frames[1].data)!.data]).toEqual([128, 1, 2, 3, 4]);
  });

  it('stops reading a stream that is not TURN framing', () => {
    expect(turnTcpFrames([at(1, 100, Buffer.from([0x16, 3, 1, 0, 5, 1, 2, 3, 4, 5])), at(2, 110, a)])).toEqual([]);
  });
});

describe('demux', () => {
  it('tells STUN, DTLS, TURN channels and RTP by the first byte (RFC 7983)', () => {
    expect([0, 3, 20, 23, 63, 64, 127, 128, 191, 200].map((b) => classOf(Buffer.from([b])))).toEqual(['stun', 'stun', 'dtls', 'dtls', 'dtls', 'channel', 'channel', 'rtp', 'rtp', 'other']);
    // DTLS 1.2 handshake (22) and application data (23); DTLS 1.3 unified headers: epoch 2 is the handshake, 3 and later data.
    expect([22, 23, 0x2e, 0x2f, 0x2c, 0x3d].map((b) => isDtlsApplicationData(Buffer.from([b])))).toEqual([false, true, false, true, true, true]);
  });

  it('reads a Send indication: its peer and the packet inside', () => {
    const inner = Buffer.from([23, 0xfe, 0xfd, 9]);
    const m = parseStun(stun(0x0016, [[0x0012, xorAddr('203.0.113.5', 50000)], [0x0013, inner]]))!;
    expect(m).toMatchObject({ method: METHOD.send, cls: 'indication', peer: '203.0.113.5:50000' });
    expect(Buffer.from(m.data!)).toEqual(inner);
  });

  it('reads an Allocate success (relayed address) and a ChannelBind request', () => {
    expect(parseStun(stun(0x0103, [[0x0016, xorAddr('203.0.113.3', 61000)]]))).toMatchObject({ method: METHOD.allocate, cls: 'success', relayed: '203.0.113.3:61000' });
    const ch = Buffer.from([0x40, 0x01, 0, 0]);
    expect(parseStun(stun(0x0009, [[0x000c, ch], [0x0012, xorAddr('203.0.113.4', 1234)]]))).toMatchObject({ method: METHOD.channelBind, cls: 'request', channel: 0x4001, peer: '203.0.113.4:1234' });
    expect(parseStun(Buffer.alloc(20))).toBe(null); // no magic cookie
  });
});

describe('loggedAllocations', () => {
  it('pairs each relayed address with the session line that follows it', () => {
    const lines = [
      '3: : session 001000000000000001: realm <lab> user <>: incoming packet message processed, error 401: Unauthorized',
      '3: : IPv4. Local relay addr: 203.0.113.3:58101',
      '3: : session 001000000000000001: new, realm=<lab>, username=<1796146420:viewer>, lifetime=600',
      '4: : IPv4. Local relay addr: 203.0.113.3:57580',
      '4: : session 001000000000000003: new, realm=<lab>, username=<1796146421:camera>, lifetime=600',
      '4: : session 001000000000000003: peer 192.168.1.2:46645 lifetime updated: 600',
    ];
    expect(loggedAllocations(lines)).toEqual([
      { relayed: '203.0.113.3:58101', username: '1796146420:viewer' },
      { relayed: '203.0.113.3:57580', username: '1796146421:camera' },
    ]);
  });
});
