/**
 * A WHEP endpoint as pi-webrtc (RaspberryPi-WebRTC) serves it, on the lab's hardened HTTP base:
 * - POST `/whep` (or `/`), `application/sdp`: the camera gathers every candidate first, then
 *   `201`, `Location: /resource/<id>`, `ETag`, the answer SDP;
 * - PATCH `/resource/<id>`, `application/trickle-ice-sdpfrag`: `If-Match` required (412 without or
 *   when it names another ETag); `*` asks for an ICE restart; candidates -> 204;
 * - DELETE `/resource/<id>` -> 202; OPTIONS -> 204 with CORS headers;
 * - any request but OPTIONS without Content-Type -> 422 (pi-webrtc does so, DELETE included);
 *   an unknown resource -> 404; other methods -> 405 with Allow (the base).
 * The WebRTC side is the handler's: this module only speaks HTTP.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HardenedServer, type HttpRoute, type Log } from '../../lab/services/hardened-server.js';

import { SDPFRAG_TYPE, SDP_TYPE, parseCandidates, type TrickleCandidate } from './whep-sdpfrag.js';

export { SDPFRAG_TYPE, SDP_TYPE, candidateFragment, parseCandidates, type TrickleCandidate } from './whep-sdpfrag.js';
/** An offer or a fragment bigger than this is refused (413): SDPs are a few KiB. */
const MAX_BODY_BYTES = 64 * 1024;
/** Set by the lab's tunnel (peers/lib/http-tunnel.ts): the viewer's peer id, the session label in events. */
export const PEER_HEADER = 'x-lab-peer';

export interface WhepHandler {
  /** A new viewer: returns the answer with every candidate in it. */
  offer(id: string, sdp: string, label: string): Promise<string>;
  candidates(id: string, candidates: TrickleCandidate[]): Promise<void>;
  /** `If-Match: *`: an ICE restart; returns the new sdpfrag, or null when the camera cannot. */
  restart(id: string, fragment: string): Promise<string | null>;
  remove(id: string): Promise<void>;
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'POST, PATCH, DELETE, OPTIONS',
  'access-control-allow-headers': 'Content-Type, If-Match, Authorization',
  'access-control-expose-headers': 'Location, ETag, Link',
};

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export function whepServer(handler: WhepHandler, log: Log): HardenedServer {
  const resources = new Map<string, { etag: string; label: string }>();

  const post = async (req: IncomingMessage, res: ServerResponse) => {
    requireType(req, SDP_TYPE);
    const sdp = await readBody(req);
    if (!/^v=0/m.test(sdp)) throw new HttpError(400, 'the body is not an SDP offer (no v=0 line)');
    const id = randomBytes(8).toString('hex');
    const label = String(req.headers[PEER_HEADER] ?? id);
    const etag = `"${randomBytes(6).toString('hex')}"`;
    resources.set(id, { etag, label });
    let answer: string;
    try {
      answer = await handler.offer(id, sdp, label);
    } catch (err) {
      resources.delete(id);
      throw new HttpError(500, `the camera could not answer: ${(err as Error).message}`);
    }
    res.writeHead(201, { ...CORS, 'content-type': SDP_TYPE, location: `/resource/${id}`, etag }).end(answer);
  };

  const patch = async (req: IncomingMessage, res: ServerResponse, id: string) => {
    requireType(req, SDPFRAG_TYPE);
    const ifMatch = req.headers['if-match'];
    if (!ifMatch) throw new HttpError(412, 'PATCH needs If-Match (the ETag of the POST answer, or * for an ICE restart)');
    const resource = resources.get(id);
    if (!resource) throw new HttpError(404, `no resource ${id}`);
    const fragment = await readBody(req);
    if (ifMatch === '*') {
      const answer = await handler.restart(id, fragment);
      if (answer === null) throw new HttpError(501, 'this camera does not restart ICE; DELETE the resource and POST a new offer');
      return void res.writeHead(200, { ...CORS, 'content-type': SDPFRAG_TYPE, etag: resource.etag }).end(answer);
    }
    if (ifMatch !== resource.etag) throw new HttpError(412, `If-Match ${ifMatch} is not the resource's ETag`);
    await handler.candidates(id, parseCandidates(fragment));
    res.writeHead(204, CORS).end();
  };

  const remove = async (req: IncomingMessage, res: ServerResponse, id: string) => {
    requireType(req, null);
    if (!resources.delete(id)) throw new HttpError(404, `no resource ${id}`);
    await handler.remove(id);
    res.writeHead(202, CORS).end();
  };

  const route = (methods: string[], serve: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>): HttpRoute => ({
    methods: [...methods, 'OPTIONS'],
    handle: (req, res, url) => {
      if (req.method === 'OPTIONS') return void res.writeHead(204, CORS).end();
      serve(req, res, url).catch((err: Error) => {
        const status = err instanceof HttpError ? err.status : 500;
        log({ level: status >= 500 ? 'error' : 'warn', event: 'whep-refused', method: req.method, path: url.pathname, status, message: err.message });
        if (!res.headersSent) res.writeHead(status, { ...CORS, 'content-type': 'text/plain' }).end(err.message + '\n');
      });
    },
  });
  const resourceId = (url: URL) => decodeURIComponent(url.pathname.slice('/resource/'.length));

  return new HardenedServer({
    log,
    http: {
      '/whep': route(['POST'], post),
      '/': route(['POST'], post),
      '/resource/*': route(['PATCH', 'DELETE'], (req, res, url) => (req.method === 'PATCH' ? patch(req, res, resourceId(url)) : remove(req, res, resourceId(url)))),
    },
  });
}

/** pi-webrtc answers 422 to any request but OPTIONS that has no Content-Type. */
function requireType(req: IncomingMessage, wanted: string | null): void {
  const type = req.headers['content-type']?.split(';')[0].trim().toLowerCase();
  if (!type) throw new HttpError(422, 'Content-Type is required');
  if (wanted && type !== wanted) throw new HttpError(415, `Content-Type must be ${wanted}, not ${type}`);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, `body over ${MAX_BODY_BYTES} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
