/**
 * The lab's own services process, run on the services host: the signaling server (ws) and the
 * ICE-server-config endpoint, on one HTTP port. Configured by LAB_SERVICES_CONFIG (JSON); logs
 * JSON lines with monotonic timestamps to stdout; prints {"event":"ready"} once listening.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { projectPath } from '../util/paths.js';
import { monotonicMs } from '../util/clock.js';
import { verifyJoinToken } from './credentials.js';
import { iceServerConfig } from './ice-config.js';
import { SignalingServer } from './signaling-server.js';

export interface ServicesConfig {
  port: number;
  rooms: Record<string, string[]>;
  tokenSecret: string;
  turnSecret: string;
  /** Address peers use for STUN/TURN. */
  turnHost: string;
  stunPort: number;
  tlsPort: number;
  ttlSeconds: number;
  /** Set when coturn runs with static users: the lab's own peers get this one. */
  turnStaticUser?: { username: string; password: string };
}

const log = (entry: Record<string, unknown>) => process.stdout.write(JSON.stringify({ t: monotonicMs(), ...entry }) + '\n');

function main(): void {
  const config = JSON.parse(process.env.LAB_SERVICES_CONFIG ?? '') as ServicesConfig;
  const signaling = new SignalingServer({ rooms: config.rooms, tokenSecret: config.tokenSecret, log });
  const server = createServer((req, res) => {
    try {
      route(config, req, res);
    } catch (err) {
      log({ level: 'error', event: 'http-error', message: (err as Error).message });
      json(res, 500, { message: 'internal error' });
    }
  });
  signaling.attach(server);
  server.listen(config.port, '0.0.0.0', () => log({ event: 'ready', port: config.port }));
  const stop = () => {
    signaling.close();
    server.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

function route(config: ServicesConfig, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://lab');
  if (url.pathname === '/health') return json(res, 200, { ok: true });
  if (url.pathname === '/peers/chromium-viewer.html') return send(res, 'text/html', VIEWER_PAGE);
  if (url.pathname === '/peers/chromium-viewer-page.js') return send(res, 'text/javascript', readFileSync(projectPath('dist', 'peers', 'chromium-viewer-page.js')));
  if (url.pathname !== '/ice-config') return json(res, 404, { message: `no endpoint ${url.pathname}` });
  const room = url.searchParams.get('room') ?? '';
  const peer = url.searchParams.get('peer') ?? '';
  const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
  const check = verifyJoinToken(config.tokenSecret, room, peer, token);
  if (!check.ok) {
    log({ level: 'warn', event: 'ice-config-denied', room, peer, reason: check.reason });
    return json(res, 401, { message: check.reason });
  }
  log({ event: 'ice-config', room, peer });
  json(res, 200, iceServerConfig({ host: config.turnHost, stunPort: config.stunPort, tlsPort: config.tlsPort, turnSecret: config.turnSecret, ttlSeconds: config.ttlSeconds, staticUser: config.turnStaticUser }, peer));
}

/** The page the Chromium viewer loads (its code: peers/chromium/viewer-page.ts). */
const VIEWER_PAGE = '<!doctype html><html><head><meta charset="utf-8"><title>lab viewer</title></head><body><script src="/peers/chromium-viewer-page.js"></script></body></html>';

function send(res: ServerResponse, type: string, body: string | Buffer): void {
  res.writeHead(200, { 'content-type': type }).end(body);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

main();
