import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { directHttp, type HttpExchange } from './http-tunnel.js';
import { emit } from './contract.js';
import { WhepClient } from './whep-client.js';
import { PEER_HEADER, SDPFRAG_TYPE, SDP_TYPE, candidateFragment, parseCandidates, whepServer, type TrickleCandidate } from './whep-server.js';
import type { HardenedServer } from '../../lab/services/hardened-server.js';
import { eventSchema } from '../../lab/contract/events.js';

const OFFER = 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:0\r\na=ice-ufrag:vwr1\r\na=ice-pwd:viewerpassword0123456789\r\n';

/** The camera's server with a fake WebRTC side that records what it is asked. */
const calls = { offers: [] as { id: string; label: string }[], candidates: [] as { id: string; c: TrickleCandidate[] }[], removed: [] as string[] };
let server: HardenedServer;
let http: ReturnType<typeof directHttp>;

beforeAll(async () => {
  server = whepServer(
    {
      offer: async (id, sdp, label) => (calls.offers.push({ id, label }), sdp.replace('vwr1', 'cam1')),
      candidates: async (id, c) => void calls.candidates.push({ id, c }),
      restart: async () => null,
      remove: async (id) => void calls.removed.push(id),
    },
    () => {},
  );
  const port = await server.listen(0, '127.0.0.1');
  http = directHttp(`http://127.0.0.1:${port}`);
});
afterAll(() => server.close());

const post = (headers: Record<string, string> = { 'content-type': SDP_TYPE }, body = OFFER) => http({ method: 'POST', path: '/whep', headers, body });
const req = (r: Partial<HttpExchange> & { method: string; path: string }) => http({ headers: {}, body: '', ...r });

describe('WHEP server (as pi-webrtc serves it)', () => {
  it('POST application/sdp: 201, Location /resource/<id>, ETag, the answer; the lab peer header names the session', async () => {
    const res = await post({ 'content-type': SDP_TYPE, [PEER_HEADER]: 'viewer' });
    expect(res.status).toBe(201);
    expect(res.headers.location).toMatch(/^\/resource\/[0-9a-f]{16}$/);
    expect(res.headers.etag).toMatch(/^"[0-9a-f]+"$/);
    expect(res.headers['content-type']).toBe(SDP_TYPE);
    expect(res.body).toContain('a=ice-ufrag:cam1');
    expect(calls.offers.at(-1)).toEqual({ id: res.headers.location.split('/')[2], label: 'viewer' });
  });

  it('PATCH with the ETag: 204 and the candidates reach the camera on the fragment mid; DELETE: 202, then 404', async () => {
    const { headers } = await post();
    const id = headers.location.split('/')[2];
    const body = candidateFragment({ ufrag: 'vwr1', pwd: 'p', mid: '0', candidates: ['candidate:1 1 udp 2130706431 10.0.0.2 5000 typ host'], end: true });
    const patched = await req({ method: 'PATCH', path: headers.location, headers: { 'content-type': SDPFRAG_TYPE, 'if-match': headers.etag }, body });
    expect(patched.status).toBe(204);
    expect(calls.candidates.at(-1)).toEqual({ id, c: [{ candidate: 'candidate:1 1 udp 2130706431 10.0.0.2 5000 typ host', sdpMid: '0' }] });
    expect((await req({ method: 'DELETE', path: headers.location, headers: { 'content-type': SDP_TYPE } })).status).toBe(202);
    expect(calls.removed).toContain(id);
    expect((await req({ method: 'DELETE', path: headers.location, headers: { 'content-type': SDP_TYPE } })).status).toBe(404);
  });

  it('OPTIONS: 204 with CORS headers, no Content-Type needed', async () => {
    const res = await req({ method: 'OPTIONS', path: '/whep' });
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-methods']).toContain('PATCH');
    expect(res.headers['access-control-expose-headers']).toContain('Location');
  });

  it('bad input gets the answers pi-webrtc gives, and the next valid client is served', async () => {
    const { headers } = await post();
    const offersBefore = calls.offers.length;
    // No Content-Type: 422, on POST, PATCH and DELETE alike.
    expect((await post({})).status).toBe(422);
    expect((await req({ method: 'PATCH', path: headers.location, headers: { 'if-match': headers.etag }, body: 'a=end-of-candidates\r\n' })).status).toBe(422);
    expect((await req({ method: 'DELETE', path: headers.location })).status).toBe(422);
    // PATCH without If-Match, or naming another ETag: 412.
    expect((await req({ method: 'PATCH', path: headers.location, headers: { 'content-type': SDPFRAG_TYPE }, body: 'a=end-of-candidates\r\n' })).status).toBe(412);
    expect((await req({ method: 'PATCH', path: headers.location, headers: { 'content-type': SDPFRAG_TYPE, 'if-match': '"other"' }, body: '' })).status).toBe(412);
    // Unknown resource: 404; wrong method: 405 with Allow; unknown path: 404.
    expect((await req({ method: 'PATCH', path: '/resource/nope', headers: { 'content-type': SDPFRAG_TYPE, 'if-match': '"x"' } })).status).toBe(404);
    const get = await req({ method: 'GET', path: '/whep' });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST, OPTIONS');
    expect((await req({ method: 'PUT', path: headers.location, headers: { 'content-type': SDP_TYPE } })).status).toBe(405);
    expect((await req({ method: 'POST', path: '/elsewhere', headers: { 'content-type': SDP_TYPE }, body: OFFER })).status).toBe(404);
    // Wrong type, not an SDP: 415, 400; ICE restart, which this camera does not do: 501.
    expect((await post({ 'content-type': 'text/plain' })).status).toBe(415);
    expect((await post({ 'content-type': SDP_TYPE }, 'hello')).status).toBe(400);
    expect((await req({ method: 'PATCH', path: headers.location, headers: { 'content-type': SDPFRAG_TYPE, 'if-match': '*' }, body: '' })).status).toBe(501);
    expect(calls.offers.length).toBe(offersBefore);
    // Still serving.
    expect((await post()).status).toBe(201);
  });

  it('the lab viewer\'s client POSTs, gets the answer as a message, PATCHes its candidates with If-Match and DELETEs', async () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const failures: string[] = [];
      const client = new WhepClient(http, 'camera', (m) => failures.push(m), emit);
      const answered = new Promise<string>((resolve) => client.onMessage((m) => m.type === 'answer' && m.from === 'camera' && resolve(String(m.sdp))));
      client.send({ type: 'offer', to: 'camera', sdp: OFFER });
      // Trickled before the POST came back: queued, then PATCHed.
      client.send({ type: 'candidate', to: 'camera', candidate: { candidate: 'candidate:2 1 udp 1 10.0.0.3 6000 typ host', sdpMid: '0' } });
      client.send({ type: 'end-of-candidates', to: 'camera' });
      expect(await answered).toContain('a=ice-ufrag:cam1');
      const id = calls.offers.at(-1)!.id;
      client.send({ type: 'bye', to: 'camera' });
      await client.close();
      expect(failures).toEqual([]);
      expect(calls.candidates.filter((c) => c.id === id).flatMap((c) => c.c.map((x) => x.candidate))).toEqual(['candidate:2 1 udp 1 10.0.0.3 6000 typ host']);
      expect(calls.removed).toContain(id);
      const events = out.mock.calls.map(([line]) => JSON.parse(String(line)));
      expect(events.map((e) => [e.event, e.protocol, e.step, e.status])).toEqual([
        ['signaling-step', 'whep', 'POST', 201],
        ['signaling-step', 'whep', 'PATCH', 204],
        ['signaling-step', 'whep', 'DELETE', 202],
      ]);
      expect(events[0].detail).toMatch(/^got 201 to its POST \/whep \(Content-Type application\/sdp, the offer\): Location \/resource\/\S+/);
      expect(events[1].detail).toMatch(/^got 204 to its PATCH \/resource\/\S+ \(Content-Type application\/trickle-ice-sdpfrag, If-Match \S+; 1 candidate\(s\), end-of-candidates\)$/);
      for (const e of events) expect(eventSchema('signaling-step').safeParse(e).success).toBe(true);
    } finally {
      out.mockRestore();
    }
  });
});

describe('parseCandidates', () => {
  it('reads candidate lines and the mid, defaulting to "0" like pi-webrtc', () => {
    expect(parseCandidates('a=ice-ufrag:u\r\na=candidate:1 1 udp 1 1.2.3.4 5 typ host\r\na=end-of-candidates\r\n')).toEqual([{ candidate: 'candidate:1 1 udp 1 1.2.3.4 5 typ host', sdpMid: '0' }]);
    expect(parseCandidates('a=mid:video\na=candidate:x')).toEqual([{ candidate: 'candidate:x', sdpMid: 'video' }]);
  });
});
