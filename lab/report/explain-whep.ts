/** The WHEP requests of a session, for --explain (the viewer's x-whep-* events, peers/lib/whep-client.ts). */
import type { RunResult } from '../model/run-result.js';

type Event = RunResult['events'][string][number];

const WHAT: Record<string, string> = {
  'x-whep-post': 'POST /whep, application/sdp (the offer); the camera gathers every candidate before it answers',
  'x-whep-patch': 'PATCH the resource, application/trickle-ice-sdpfrag with If-Match (trickled candidates)',
  'x-whep-delete': 'DELETE the resource (the viewer hangs up)',
};

/** One line per request, or nothing when the session did not use WHEP. */
export function whepLines(viewerEvents: Event[], at: (e: Event) => string): string[] {
  const steps = viewerEvents.filter((e) => e.event in WHAT || e.event === 'x-whep-error');
  if (!steps.length) return [];
  const out = ['WHEP (as pi-webrtc serves it): the viewer spoke HTTP to the camera\'s WHEP port, through the tunnel the camera keeps open to the lab\'s relay (docs/protocols.md); the media path is not tunnelled:'];
  for (const e of steps) {
    if (e.event === 'x-whep-error') out.push(`${at(e)}  a WHEP request failed: ${String(e.message)}`);
    else {
      const extra = e.event === 'x-whep-post' && e.location ? `, Location ${String(e.location)}` : e.event === 'x-whep-patch' ? ` (${Number(e.candidates ?? 0)} candidate(s)${e.end ? ', end-of-candidates' : ''})` : '';
      out.push(`${at(e)}  ${WHAT[e.event]} -> ${String(e.status)}${extra}`);
    }
  }
  return out;
}
