/**
 * HTTP requests carried between two peers over the lab's signaling relay (`tunnel` messages), the
 * way a camera behind NAT exposes its WHEP port through an outward reverse tunnel (cloudflared,
 * ngrok, an SSH -R): the camera's side replays each request against its own HTTP server on its
 * own host, byte for byte, and sends the answer back. Only signaling goes through the tunnel; the
 * camera's NAT gets no port forward, so the media path traverses it as it would without WHEP.
 */
import { request as httpRequest } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { SignalingClient } from './signaling-client.js';
import { PEER_HEADER } from './whep-server.js';

export interface HttpExchange {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}
export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}
export type HttpTransport = (req: HttpExchange) => Promise<HttpAnswer>;

type Frame = { id: string; request: HttpExchange } | { id: string; response: HttpAnswer };

/** Plain HTTP to a base URL (a camera's WHEP port on loopback, or one reachable by address). */
export function directHttp(base: string, timeoutMs = 10_000): HttpTransport {
  return (req) =>
    new Promise((resolve, reject) => {
      const body = Buffer.from(req.body);
      // node:http adds no Content-Type of its own (fetch would), so a request without one stays without.
      const r = httpRequest(new URL(req.path, base), { method: req.method, headers: { ...req.headers, 'content-length': String(body.length) }, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      });
      r.on('timeout', () => r.destroy(new Error(`${req.method} ${req.path}: no answer within ${timeoutMs} ms`)));
      r.on('error', reject);
      r.end(body);
    });
}

/** The viewer's end: requests go to `camera` through the relay, answers come back by id. */
export function tunnelTransport(signaling: SignalingClient, camera: string, timeoutMs: number): HttpTransport {
  const waiting = new Map<string, (a: HttpAnswer) => void>();
  signaling.onMessage((msg) => {
    if (msg.type !== 'tunnel' || msg.from !== camera) return;
    const frame = parseFrame(msg.data);
    if (frame && 'response' in frame) waiting.get(frame.id)?.(frame.response);
  });
  return (request) =>
    new Promise((resolve, reject) => {
      const id = randomBytes(6).toString('hex');
      const timer = setTimeout(() => (waiting.delete(id), reject(new Error(`${request.method} ${request.path} through the tunnel to ${camera}: no answer within ${timeoutMs} ms`))), timeoutMs);
      waiting.set(id, (a) => (clearTimeout(timer), waiting.delete(id), resolve(a)));
      signaling.send({ type: 'tunnel', to: camera, data: JSON.stringify({ id, request } satisfies Frame) });
    });
}

/** The camera's end: replays each tunnelled request on its own server, naming the viewer in a header. */
export function serveTunnel(signaling: SignalingClient, local: HttpTransport): void {
  signaling.onMessage((msg) => {
    if (msg.type !== 'tunnel' || !msg.from) return;
    const from = msg.from;
    const frame = parseFrame(msg.data);
    if (!frame || !('request' in frame)) return;
    const { method, path, headers, body } = frame.request;
    local({ method, path, headers: { ...headers, [PEER_HEADER]: from }, body })
      .catch((err: Error): HttpAnswer => ({ status: 502, headers: { 'content-type': 'text/plain' }, body: `tunnel: ${err.message}\n` }))
      .then((response) => signaling.send({ type: 'tunnel', to: from, data: JSON.stringify({ id: frame.id, response } satisfies Frame) }));
  });
}

function parseFrame(data: unknown): Frame | null {
  try {
    const f = JSON.parse(String(data)) as Frame;
    return typeof f?.id === 'string' ? f : null;
  } catch {
    return null;
  }
}
