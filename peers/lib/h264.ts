/**
 * H.264 for the camera and the viewer, per RFC 6184 (packetization-mode 1): Annex B parsing into
 * access units, RTP packetization (single NAL / STAP-A / FU-A) and reassembly of whole frames.
 */
export const NAL = { nonIdr: 1, idr: 5, sei: 6, sps: 7, pps: 8, aud: 9, stapA: 24, fuA: 28 } as const;

export function nalType(nal: Uint8Array): number {
  return nal[0] & 0x1f;
}

/** NAL units of an Annex B byte stream (start codes removed). */
export function splitAnnexB(data: Uint8Array): Uint8Array[] {
  const starts: { at: number; len: number }[] = [];
  for (let i = 0; i + 2 < data.length; i++) {
    if (data[i] === 0 && data[i + 1] === 0) {
      if (data[i + 2] === 1) starts.push({ at: i, len: 3 });
      else if (data[i + 2] === 0 && data[i + 3] === 1) starts.push({ at: i, len: 4 });
      else continue;
      i += starts[starts.length - 1].len - 1;
    }
  }
  return starts.map((s, k) => data.subarray(s.at + s.len, k + 1 < starts.length ? starts[k + 1].at : data.length)).filter((n) => n.length > 0);
}

function isVcl(nal: Uint8Array): boolean {
  const t = nalType(nal);
  return t === NAL.nonIdr || t === NAL.idr;
}

/** The first slice of a picture has first_mb_in_slice = 0, coded ue(v) as a single 1 bit. */
function startsPicture(nal: Uint8Array): boolean {
  return isVcl(nal) && nal.length > 1 && (nal[1] & 0x80) !== 0;
}

export interface AccessUnit {
  nals: Uint8Array[];
  keyframe: boolean;
}

/** Groups NAL units into pictures: parameter sets and SEI open a new one, as does a first slice. */
export function accessUnits(nals: Uint8Array[]): AccessUnit[] {
  const units: AccessUnit[] = [];
  let current: Uint8Array[] = [];
  let hasVcl = false;
  const flush = () => {
    if (current.length && hasVcl) units.push({ nals: current, keyframe: current.some((n) => nalType(n) === NAL.idr) });
    current = [];
    hasVcl = false;
  };
  for (const nal of nals) {
    const t = nalType(nal);
    const opensUnit = t === NAL.aud || t === NAL.sps || t === NAL.pps || t === NAL.sei || startsPicture(nal);
    if (opensUnit && hasVcl) flush();
    current.push(nal);
    if (isVcl(nal)) hasVcl = true;
  }
  flush();
  return units;
}

/** profile-level-id for SDP, from the first SPS: profile_idc, constraint flags, level_idc. */
export function profileLevelId(nals: Uint8Array[]): string {
  const sps = nals.find((n) => nalType(n) === NAL.sps);
  if (!sps || sps.length < 4) throw new Error('the stream has no SPS');
  return [sps[1], sps[2], sps[3]].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * RTP payloads for one access unit: parameter sets aggregated in a STAP-A, NAL units that fit sent
 * alone, larger ones cut into FU-A fragments. The last payload carries the RTP marker bit.
 */
export function packetize(unit: AccessUnit, maxPayload = 1200): Uint8Array[] {
  const out: Uint8Array[] = [];
  const params = unit.nals.filter((n) => nalType(n) === NAL.sps || nalType(n) === NAL.pps);
  const rest = unit.nals.filter((n) => !params.includes(n));
  if (params.length) {
    const size = 1 + params.reduce((s, n) => s + 2 + n.length, 0);
    if (size <= maxPayload) {
      const stap = new Uint8Array(size);
      stap[0] = (params[0][0] & 0x60) | NAL.stapA;
      let off = 1;
      for (const n of params) {
        stap[off] = n.length >> 8;
        stap[off + 1] = n.length & 0xff;
        stap.set(n, off + 2);
        off += 2 + n.length;
      }
      out.push(stap);
    } else rest.unshift(...params);
  }
  for (const nal of rest) {
    if (nal.length <= maxPayload) {
      out.push(nal);
      continue;
    }
    const header = nal[0];
    const body = nal.subarray(1);
    const chunk = maxPayload - 2;
    for (let off = 0; off < body.length; off += chunk) {
      const piece = body.subarray(off, off + chunk);
      const fu = new Uint8Array(2 + piece.length);
      fu[0] = (header & 0xe0) | NAL.fuA;
      fu[1] = (off === 0 ? 0x80 : 0) | (off + chunk >= body.length ? 0x40 : 0) | (header & 0x1f);
      fu.set(piece, 2);
      out.push(fu);
    }
  }
  return out;
}

export interface ReassembledFrame {
  timestamp: number;
  nals: Uint8Array[];
  /** An IDR picture together with the SPS and PPS needed to decode it. */
  decodableKeyframe: boolean;
}

interface RtpIn {
  sequenceNumber: number;
  timestamp: number;
  marker: boolean;
  payload: Uint8Array;
}

/** Sequence numbers wrap at 2^16: distance from a to b going forward. */
const seqAfter = (a: number, b: number) => (b - a + 0x10000) & 0xffff;

function startsFrame(p: Uint8Array): boolean {
  const t = nalType(p);
  if (t === NAL.fuA) return p.length > 1 && (p[1] & 0x80) !== 0;
  return true; // STAP-A or a single NAL unit
}

/**
 * Rebuilds frames from RTP packets that may arrive out of order (a NACK retransmission comes
 * late). A frame is complete once its packets form an unbroken run of sequence numbers from one
 * that starts a frame to the one with the marker bit; frames still missing packets wait, and
 * only the newest few are kept.
 */
export class FrameAssembler {
  private pending = new Map<number, Map<number, RtpIn>>();
  private done = new Set<number>();

  constructor(private readonly keep = 8) {}

  push(packet: RtpIn): ReassembledFrame | null {
    if (this.done.has(packet.timestamp)) return null;
    let frame = this.pending.get(packet.timestamp);
    if (!frame) {
      this.pending.set(packet.timestamp, (frame = new Map()));
      while (this.pending.size > this.keep) this.pending.delete(this.pending.keys().next().value!);
    }
    frame.set(packet.sequenceNumber, packet);
    const packets = this.ordered(frame);
    if (!packets) return null;
    this.pending.delete(packet.timestamp);
    this.done.add(packet.timestamp);
    if (this.done.size > 64) this.done.delete(this.done.values().next().value!);
    const nals = depacketize(packets.map((p) => p.payload));
    return nals ? { timestamp: packet.timestamp, nals, decodableKeyframe: isDecodableKeyframe(nals) } : null;
  }

  /** The frame's packets in order, if they are all there. */
  private ordered(frame: Map<number, RtpIn>): RtpIn[] | null {
    const marker = [...frame.values()].find((p) => p.marker);
    if (!marker) return null;
    // Walk back from the marker while packets are contiguous; stop at one that starts a frame.
    const run: RtpIn[] = [marker];
    for (let seq = (marker.sequenceNumber - 1) & 0xffff; frame.has(seq); seq = (seq - 1) & 0xffff) {
      run.unshift(frame.get(seq)!);
      if (run.length > frame.size) break;
    }
    const first = run[0];
    const earliest = [...frame.keys()].reduce((a, b) => (seqAfter(b, a) > 0 && seqAfter(b, a) < 0x8000 ? b : a), first.sequenceNumber);
    if (earliest !== first.sequenceNumber || !startsFrame(first.payload)) return null;
    return run;
  }
}

/** NAL units from a frame's payloads in order; null if a fragmented unit is cut. */
function depacketize(payloads: Uint8Array[]): Uint8Array[] | null {
  const nals: Uint8Array[] = [];
  let fragment: number[] | null = null;
  for (const p of payloads) {
    const t = nalType(p);
    if (t === NAL.stapA) {
      for (let off = 1; off + 2 <= p.length; ) {
        const len = (p[off] << 8) | p[off + 1];
        nals.push(p.subarray(off + 2, off + 2 + len));
        off += 2 + len;
      }
    } else if (t === NAL.fuA) {
      if (p.length < 2) return null;
      if (p[1] & 0x80) fragment = [(p[0] & 0xe0) | (p[1] & 0x1f)];
      if (!fragment) return null;
      for (const b of p.subarray(2)) fragment.push(b);
      if (p[1] & 0x40) {
        nals.push(Uint8Array.from(fragment));
        fragment = null;
      }
    } else nals.push(p);
  }
  return fragment ? null : nals;
}

export function isDecodableKeyframe(nals: Uint8Array[]): boolean {
  const types = new Set(nals.map(nalType));
  return types.has(NAL.idr) && types.has(NAL.sps) && types.has(NAL.pps);
}
