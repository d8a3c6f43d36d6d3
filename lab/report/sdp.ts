/** Reading an SDP for a person: the lines that matter, each with what it means. Pure. */

export interface SdpNote {
  line: string;
  note: string;
}

const PROFILE: Record<number, string> = { 0x42: 'baseline', 0x4d: 'main', 0x58: 'extended', 0x64: 'high' };

/** "42e01f" -> "constrained baseline, level 3.1". */
export function describeProfileLevelId(hex: string): string {
  if (!/^[0-9a-f]{6}$/i.test(hex)) return hex;
  const profile = parseInt(hex.slice(0, 2), 16);
  const flags = parseInt(hex.slice(2, 4), 16);
  const level = parseInt(hex.slice(4, 6), 16);
  // constraint_set1 on baseline means constrained baseline (RFC 6184 section 8.1).
  const name = profile === 0x42 && flags & 0x40 ? 'constrained baseline' : (PROFILE[profile] ?? `profile ${profile}`);
  return `${name}, level ${level === 0x0b && flags & 0x10 ? '1b' : (level / 10).toFixed(1)}`;
}

export function annotateSdp(sdp: string): { notes: SdpNote[]; codecs: string[]; candidates: number } {
  const lines = sdp.split(/\r?\n/).filter(Boolean);
  const notes: SdpNote[] = [];
  const codecs: string[] = [];
  const rtpmap = new Map<string, string>();
  let candidates = 0;
  let media = '';
  for (const line of lines) {
    const [key, value = ''] = line.split(/:(.*)/s);
    if (line.startsWith('m=')) {
      const [type, port, proto] = line.slice(2).split(' ');
      media = type;
      notes.push({ line: line.length > 60 ? `${line.slice(0, 57)}...` : line, note: type === 'application' ? `the datachannel: SCTP over DTLS (${proto})` : `a ${type} stream over ${proto} (port ${port} is a placeholder: ICE decides the real one)` });
    } else if (line.startsWith('a=group:BUNDLE')) {
      notes.push({ line, note: `BUNDLE: streams ${value.replace('BUNDLE ', '')} share one ICE/DTLS transport (one candidate pair)` });
    } else if (key === 'a=mid') {
      notes.push({ line, note: `media id of this ${media} section` });
    } else if (/^a=(sendrecv|sendonly|recvonly|inactive)$/.test(line)) {
      notes.push({ line, note: { sendrecv: 'sends and receives', sendonly: 'only sends (the camera)', recvonly: 'only receives (the viewer)', inactive: 'neither' }[line.slice(2)]! });
    } else if (key === 'a=rtpmap') {
      const [pt, codec] = value.split(' ');
      rtpmap.set(pt, codec);
      if (!/^(rtx|red|ulpfec|flexfec)/i.test(codec)) codecs.push(codec.split('/')[0]);
    } else if (key === 'a=fmtp') {
      const [pt, params] = value.split(' ');
      const plid = /profile-level-id=([0-9a-f]{6})/i.exec(params ?? '')?.[1];
      if (plid && /H264/i.test(rtpmap.get(pt) ?? '') && notes.filter((n) => n.line.startsWith('a=fmtp')).length < 3) {
        const mode = /packetization-mode=(\d)/.exec(params)?.[1] ?? '0';
        notes.push({ line, note: `H.264 payload ${pt}: ${describeProfileLevelId(plid)}, packetization-mode ${mode}${mode === '1' ? ' (NAL units fragmented across packets: FU-A)' : ' (one NAL unit per packet)'}` });
      }
    } else if (key === 'a=ice-ufrag') {
      notes.push({ line, note: 'ICE username fragment: checks from the far side must carry it' });
    } else if (key === 'a=ice-pwd') {
      notes.push({ line: `a=ice-pwd:${value.slice(0, 6)}...`, note: 'ICE password: signs the connectivity checks (message integrity)' });
    } else if (line === 'a=ice-options:trickle') {
      notes.push({ line, note: 'candidates may follow the description (trickle ICE)' });
    } else if (key === 'a=fingerprint') {
      notes.push({ line: `${line.slice(0, 40)}...`, note: 'hash of the DTLS certificate: the handshake must present exactly this one' });
    } else if (key === 'a=setup') {
      notes.push({ line, note: { actpass: 'either DTLS role (the offerer leaves it to the answerer)', active: 'this side starts the DTLS handshake (DTLS client)', passive: 'this side waits for the DTLS handshake (DTLS server)' }[value] ?? value });
    } else if (key === 'a=sctp-port') {
      notes.push({ line, note: 'SCTP port of the datachannel association' });
    } else if (key === 'a=candidate') {
      candidates++;
    }
  }
  return { notes: dedupe(notes), codecs: [...new Set(codecs)], candidates };
}

function dedupe(notes: SdpNote[]): SdpNote[] {
  const seen = new Set<string>();
  return notes.filter((n) => (seen.has(n.line) ? false : (seen.add(n.line), true)));
}
