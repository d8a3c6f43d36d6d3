/** WHEP's media types and trickle-ice-sdpfrag bodies (RFC 8840), for the server and its clients in Node or a page. Pure. */
export const SDP_TYPE = 'application/sdp';
export const SDPFRAG_TYPE = 'application/trickle-ice-sdpfrag';

export interface TrickleCandidate {
  candidate: string;
  sdpMid: string;
}

/** `a=candidate:` lines of a trickle-ice-sdpfrag, on the fragment's mid (pi-webrtc applies them to mid "0"). */
export function parseCandidates(fragment: string): TrickleCandidate[] {
  let mid = '0';
  const out: TrickleCandidate[] = [];
  for (const line of fragment.split(/\r?\n/)) {
    if (line.startsWith('a=mid:')) mid = line.slice(6).trim();
    else if (line.startsWith('a=candidate:')) out.push({ candidate: line.slice(2).trim(), sdpMid: mid });
  }
  return out;
}

/** The fragment a client PATCHes: its ICE credentials, the first media section's mid, candidates. */
export function candidateFragment(o: { ufrag: string; pwd: string; mid: string; candidates: string[]; end?: boolean }): string {
  const lines = [`a=ice-ufrag:${o.ufrag}`, `a=ice-pwd:${o.pwd}`, 'm=application 9 UDP/DTLS/SCTP webrtc-datachannel', `a=mid:${o.mid}`];
  for (const c of o.candidates) lines.push(`a=${c.replace(/^a=/, '')}`);
  if (o.end) lines.push('a=end-of-candidates');
  return lines.join('\r\n') + '\r\n';
}
