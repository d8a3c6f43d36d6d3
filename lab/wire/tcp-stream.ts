/**
 * TCP stream reassembly, as far as TURN over TCP needs it (RFC 6062 / RFC 8656 section 6.2): each
 * direction of a connection in sequence order, retransmissions dropped, then cut into the frames
 * TURN puts on a stream: STUN messages (20-byte header + length) and ChannelData (4-byte header +
 * length, padded to 4 bytes over TCP).
 */
import type { IpPacket } from './pcap.js';

export interface StreamFrame {
  /** Time of the segment that completed the frame. */
  t: number;
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  data: Uint8Array;
}

/** One direction of one connection, in order. */
class Reassembler {
  private next: number | null = null;
  private pending = new Map<number, Uint8Array>();
  private buf = new Uint8Array(0);
  /** Set once the stream stops looking like TURN framing: nothing more is read from it. */
  broken = false;

  constructor(private readonly onFrame: (t: number, data: Uint8Array) => void) {}

  push(p: IpPacket): void {
    const { seq, syn } = p.tcp!;
    if (syn) {
      this.next = (seq + 1) >>> 0;
      return;
    }
    if (!p.payload.length || this.broken) return;
    if (p.payload.length < p.length) {
      this.broken = true; // a snap length cut the segment: the stream has a hole
      return;
    }
    this.next ??= seq; // the handshake was not captured: start where the capture starts
    this.pending.set(seq, p.payload);
    for (;;) {
      const n: number = this.next!;
      let seg = this.pending.get(n);
      if (!seg) {
        // A retransmission that overlaps what was already delivered: keep only its new tail.
        const overlap = [...this.pending.entries()].find(([s, d]) => before(s, n) && before(n, (s + d.length) >>> 0));
        if (!overlap) break;
        this.pending.delete(overlap[0]);
        seg = overlap[1].subarray((n - overlap[0]) >>> 0);
      } else this.pending.delete(n);
      this.next = (n + seg.length) >>> 0;
      this.append(seg);
      this.cut(p.t);
    }
    for (const [s, d] of [...this.pending.entries()]) if (!before(this.next!, (s + d.length) >>> 0)) this.pending.delete(s); // wholly old
  }

  private append(seg: Uint8Array): void {
    const merged = new Uint8Array(this.buf.length + seg.length);
    merged.set(this.buf);
    merged.set(seg, this.buf.length);
    this.buf = merged;
  }

  private cut(t: number): void {
    while (this.buf.length >= 4) {
      const first = this.buf[0];
      const len = (this.buf[2] << 8) | this.buf[3];
      let size: number;
      if (first < 0x40) size = 20 + len;
      else if (first < 0x80) size = 4 + len + ((4 - (len % 4)) % 4);
      else {
        this.broken = true;
        this.buf = new Uint8Array(0);
        return;
      }
      if (this.buf.length < size) return;
      this.onFrame(t, this.buf.subarray(0, first < 0x40 ? size : 4 + len));
      this.buf = this.buf.subarray(size);
    }
  }
}

/** a comes before b in 32-bit sequence space. */
function before(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

/** Every TURN frame carried by the given TCP packets (one or many connections), in capture order. */
export function turnTcpFrames(packets: IpPacket[]): StreamFrame[] {
  const frames: StreamFrame[] = [];
  const streams = new Map<string, Reassembler>();
  for (const p of packets) {
    if (p.proto !== 'tcp') continue;
    const key = `${p.src}:${p.srcPort}>${p.dst}:${p.dstPort}`;
    let r = streams.get(key);
    if (!r || (p.tcp!.syn && r.broken)) {
      r = new Reassembler((t, data) => frames.push({ t, src: p.src, srcPort: p.srcPort, dst: p.dst, dstPort: p.dstPort, data }));
      streams.set(key, r);
    }
    r.push(p);
  }
  return frames;
}
