/**
 * Classic libpcap files (not pcapng) -> IPv4 UDP and TCP packets. Link types: Ethernet (1), raw
 * IP (101), Linux cooked v1 (113) and v2 (276, what `tcpdump -i any` writes). Anything else in a
 * frame (ARP, IPv6, fragments after the first) is skipped, not an error: the wire oracle only
 * reads what WebRTC puts on the lab's internet.
 */
export interface IpPacket {
  /** Capture time, ms since the Unix epoch (pcap timestamps are wall-clock time). */
  t: number;
  proto: 'udp' | 'tcp';
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  /** What was captured of the payload (all of it unless the capture had a snap length). */
  payload: Uint8Array;
  /** The payload's length on the wire (from the IP and UDP headers), captured or not. */
  length: number;
  /** TCP only. */
  tcp?: { seq: number; syn: boolean; fin: boolean; rst: boolean };
}

const LINK_ETHERNET = 1;
const LINK_RAW = 101;
const LINK_SLL = 113;
const LINK_SLL2 = 276;

export class PcapError extends Error {}

export function readPcap(file: Uint8Array): IpPacket[] {
  if (file.length < 24) throw new PcapError(`not a pcap file: ${file.length} bytes, a pcap header has 24`);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const magic = view.getUint32(0, false);
  const { little, nano } = magicOf(magic);
  const link = view.getUint32(20, little);
  if (![LINK_ETHERNET, LINK_RAW, LINK_SLL, LINK_SLL2].includes(link)) throw new PcapError(`pcap link type ${link} is not read (Ethernet, raw IP and Linux cooked v1/v2 are)`);
  const packets: IpPacket[] = [];
  for (let off = 24; off + 16 <= file.length; ) {
    const sec = view.getUint32(off, little);
    const frac = view.getUint32(off + 4, little);
    const caplen = view.getUint32(off + 8, little);
    const start = off + 16;
    off = start + caplen;
    if (off > file.length) break; // a capture stopped mid-write: its last record is cut
    const t = sec * 1000 + (nano ? frac / 1e6 : frac / 1e3);
    const ip = ipOffset(file, start, caplen, link);
    if (ip === null) continue;
    const p = parseIpv4(file.subarray(ip, start + caplen), t);
    if (p) packets.push(p);
  }
  return packets;
}

function magicOf(magic: number): { little: boolean; nano: boolean } {
  switch (magic) {
    case 0xa1b2c3d4: return { little: false, nano: false };
    case 0xd4c3b2a1: return { little: true, nano: false };
    case 0xa1b23c4d: return { little: false, nano: true };
    case 0x4d3cb2a1: return { little: true, nano: true };
    default:
      throw new PcapError(`not a classic pcap file (magic 0x${magic.toString(16)}; pcapng is not read: write with tcpdump -w, or convert with editcap -F pcap)`);
  }
}

/** Where the IPv4 header starts in a frame, or null for anything that is not IPv4. */
function ipOffset(b: Uint8Array, start: number, len: number, link: number): number | null {
  const u16 = (o: number) => (b[start + o] << 8) | b[start + o + 1];
  switch (link) {
    case LINK_ETHERNET: {
      let o = 12;
      while (len >= o + 2 && (u16(o) === 0x8100 || u16(o) === 0x88a8)) o += 4; // VLAN tags
      return len >= o + 2 && u16(o) === 0x0800 ? start + o + 2 : null;
    }
    case LINK_RAW:
      return len >= 1 && b[start] >> 4 === 4 ? start : null;
    case LINK_SLL:
      return len >= 16 && u16(14) === 0x0800 ? start + 16 : null;
    case LINK_SLL2:
      return len >= 20 && u16(0) === 0x0800 ? start + 20 : null;
    default:
      return null;
  }
}

function parseIpv4(b: Uint8Array, t: number): IpPacket | null {
  if (b.length < 20 || b[0] >> 4 !== 4) return null;
  const ihl = (b[0] & 15) * 4;
  const declared = (b[2] << 8) | b[3];
  const total = Math.min(b.length, declared);
  const fragOffset = ((b[6] & 0x1f) << 8) | b[7];
  if (fragOffset !== 0 || total < ihl) return null;
  const proto = b[9];
  const src = `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  const dst = `${b[16]}.${b[17]}.${b[18]}.${b[19]}`;
  const l4 = b.subarray(ihl, total);
  if (proto === 17 && l4.length >= 8) {
    const udpLen = (l4[4] << 8) | l4[5];
    return { t, proto: 'udp', src, srcPort: (l4[0] << 8) | l4[1], dst, dstPort: (l4[2] << 8) | l4[3], payload: l4.subarray(8, Math.min(l4.length, udpLen)), length: Math.max(0, udpLen - 8) };
  }
  if (proto === 6 && l4.length >= 20) {
    const dataOffset = (l4[12] >> 4) * 4;
    const flags = l4[13];
    const seq = ((l4[4] << 24) | (l4[5] << 16) | (l4[6] << 8) | l4[7]) >>> 0;
    return {
      t, proto: 'tcp', src, srcPort: (l4[0] << 8) | l4[1], dst, dstPort: (l4[2] << 8) | l4[3],
      payload: l4.subarray(Math.min(dataOffset, l4.length)),
      length: Math.max(0, declared - ihl - dataOffset),
      tcp: { seq, syn: (flags & 2) !== 0, fin: (flags & 1) !== 0, rst: (flags & 4) !== 0 },
    };
  }
  return null;
}
