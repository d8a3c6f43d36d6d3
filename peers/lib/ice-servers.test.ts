import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommonPeerConfig } from './contract.js';
import { fetchIceConfig } from './ice-servers.js';

let server: Server | null = null;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

async function serve(handler: Parameters<typeof createServer>[1], port = 0): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((r) => server!.listen(port, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/ice-config`;
}

const cfg = (iceConfigUrl: string, timeoutMs = 15_000) => ({ iceConfigUrl, room: 'r1', peerId: 'viewer', token: 'tok', timeoutMs }) as CommonPeerConfig;

describe('fetchIceConfig', () => {
  it('asks for its room and peer with its bearer token, and returns the JSON', async () => {
    let seen: { url?: string; auth?: string } = {};
    const url = await serve((req, res) => {
      seen = { url: req.url, auth: req.headers.authorization };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ IceServerList: [{ Uris: ['turn:x'], Ttl: 300 }] }));
    });
    const config = await fetchIceConfig(cfg(url));
    expect(config.IceServerList[0].Uris).toEqual(['turn:x']);
    expect(seen.auth).toBe('Bearer tok');
    expect(seen.url).toContain('room=r1');
    expect(seen.url).toContain('peer=viewer');
  });

  it('retries a refused connection (the services still starting) until it answers, or the deadline', async () => {
    const url = await serve((_req, res) => res.writeHead(200).end(JSON.stringify({ IceServerList: [] })));
    const port = Number(new URL(url).port);
    await new Promise<void>((r) => server!.close(() => r()));
    server = null;
    // Nobody listens for 300 ms, then the endpoint comes up on the same port.
    const late = new Promise<void>((r) => setTimeout(() => void serve((_req, res) => res.writeHead(200).end(JSON.stringify({ IceServerList: [{ Uris: ['turn:late'] }] })), port).then(() => r()), 300));
    const t0 = Date.now();
    const config = await fetchIceConfig(cfg(url));
    await late;
    expect(config.IceServerList[0].Uris).toEqual(['turn:late']);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    await expect(fetchIceConfig(cfg('http://127.0.0.1:1/ice-config', 300))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('rejects with the status and body of a refusal', async () => {
    const url = await serve((_req, res) => res.writeHead(401).end('unauthorized'));
    await expect(fetchIceConfig(cfg(url))).rejects.toThrow(/HTTP 401 unauthorized/);
  });
});
