/**
 * The lab's own services process, run on the services host: the signaling server (ws) and the
 * ICE-server-config endpoint, on one HTTP port, on the hardened base (hardened-server.ts), and
 * with `dns` in its config the lab's resolver (lab/network/dns-server.ts) on port 53.
 * Configured by LAB_SERVICES_CONFIG (JSON); logs bounded JSON lines with monotonic timestamps to
 * stdout (the resolver's begin with {"src":"dns"}); prints {"event":"ready"} once listening, after
 * the resolver's own ready line.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { projectPath } from '../util/paths.js';
import { monotonicMs } from '../util/clock.js';
import { startDnsServer, type DnsServerSpec } from '../network/dns-server.js';
import { verifyJoinToken } from './credentials.js';
import { HardenedServer, type ServerLimits } from './hardened-server.js';
import { iceServerConfig } from './ice-config.js';
import { boundedText, logLine } from './log-line.js';
import type { QueueLimits } from './message-queue.js';
import { SignalingServer } from './signaling-server.js';

export interface ServicesConfig {
  port: number;
  /** Address to listen on (default 0.0.0.0). */
  host?: string;
  rooms: Record<string, string[]>;
  tokenSecret: string;
  turnSecret: string;
  /** Address peers use for STUN/TURN. */
  turnHost: string;
  stunPort: number;
  tlsPort: number;
  ttlSeconds: number;
  /** Overrides of the hardened server's limits (docs/services-hardening.md). */
  limits?: Partial<ServerLimits>;
  queue?: Partial<QueueLimits>;
  /** Set when coturn runs with static users: the lab's own peers get this one. */
  turnStaticUser?: { username: string; password: string };
  /** The lab's resolver, served here too (lab/network/dns-process.ts). */
  dns?: DnsServerSpec;
  /**
   * Hold /ice-config answers until the lab writes `turn-ready` on stdin (coturn listens, the port-443
   * redirect is in), at most this many ms. This process starts with the peers, before coturn: a peer
   * given TURN before it listens gets its TCP or TLS connection refused, and libwebrtc does not try
   * that server again (error 701, no relay candidate, a false "failed").
   */
  holdIceConfigForTurnMs?: number;
}

const log = (entry: Record<string, unknown>) => process.stdout.write(logLine({ t: monotonicMs(), ...entry }) + '\n');
// "src" first: lab/network/dns-process.ts tells the resolver's lines apart by how they begin.
const dnsLog = (entry: Record<string, unknown>) => process.stdout.write(JSON.stringify({ src: 'dns', t: monotonicMs(), ...entry }) + '\n');

async function startDns(spec: DnsServerSpec): Promise<{ close(): void }> {
  try {
    const socket = await startDnsServer(spec, (q) => dnsLog({ event: 'query', ...q }));
    dnsLog({ event: 'ready', port: spec.port, names: Object.keys(spec.records).length });
    return socket;
  } catch (err) {
    dnsLog({ level: 'error', event: 'bind-failed', message: (err as Error).message });
    throw new Error(`the lab DNS could not listen on port ${spec.port}: ${(err as Error).message}`);
  }
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.LAB_SERVICES_CONFIG ?? '') as ServicesConfig;
  const dns = config.dns ? await startDns(config.dns) : null;
  const turnReady = config.holdIceConfigForTurnMs ? untilTurnReady(config.holdIceConfigForTurnMs) : Promise.resolve();
  const signaling = new SignalingServer({ rooms: config.rooms, tokenSecret: config.tokenSecret, queue: config.queue, log });
  const page = (type: string, body: () => string | Buffer) => ({ methods: ['GET'], handle: (_req: IncomingMessage, res: ServerResponse) => void res.writeHead(200, { 'content-type': type }).end(body()) });
  const server = new HardenedServer({
    log,
    limits: config.limits,
    http: {
      '/health': { methods: ['GET'], handle: (_req, res) => json(res, 200, { ok: true }) },
      '/ice-config': { methods: ['GET'], handle: (req, res, url) => void turnReady.then(() => iceConfig(config, req, res, url)) },
      '/peers/chromium-viewer.html': page('text/html', () => VIEWER_PAGE),
      '/peers/chromium-viewer-page.js': page('text/javascript', () => readFileSync(projectPath('dist', 'peers', 'chromium-viewer-page.js'))),
    },
    ws: { '/signaling': signaling },
  });
  const port = await server.listen(config.port, config.host ?? '0.0.0.0');
  log({ event: 'ready', port, maxSockets: server.limits.maxSockets });
  const stop = () => {
    server.close();
    dns?.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** A `Bearer` join token of the room and peer asked for; one answer for every refusal. */
/** Resolves on the lab's `turn-ready` line, or after `maxMs` (logged: the lab never said so). */
function untilTurnReady(maxMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => (log({ level: 'warn', event: 'turn-ready-not-heard', waitedMs: maxMs }), resolve()), maxMs);
    createInterface({ input: process.stdin }).on('line', (line) => {
      if (line.trim() !== 'turn-ready') return;
      clearTimeout(timer);
      log({ event: 'turn-ready' });
      resolve();
    });
  });
}

function iceConfig(config: ServicesConfig, req: IncomingMessage, res: ServerResponse, url: URL): void {
  const room = url.searchParams.get('room') ?? '';
  const peer = url.searchParams.get('peer') ?? '';
  const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
  const check = !config.rooms[room]?.includes(peer) ? { ok: false as const, reason: 'unknown room or peer' } : bearer ? verifyJoinToken(config.tokenSecret, room, peer, bearer[1]) : { ok: false as const, reason: 'no "Authorization: Bearer <token>" header' };
  if (!check.ok) {
    log({ level: 'warn', event: 'ice-config-denied', room: boundedText(room, 64), peer: boundedText(peer, 64), reason: check.reason });
    res.setHeader('www-authenticate', 'Bearer');
    return json(res, 401, { message: 'unauthorized: needs "Authorization: Bearer <join token>" for this room and peer' });
  }
  log({ event: 'ice-config', room, peer });
  json(res, 200, iceServerConfig({ host: config.turnHost, stunPort: config.stunPort, tlsPort: config.tlsPort, turnSecret: config.turnSecret, ttlSeconds: config.ttlSeconds, staticUser: config.turnStaticUser }, peer));
}

/** The page the Chromium viewer loads (its code: peers/chromium/viewer-page.ts). */
const VIEWER_PAGE = '<!doctype html><html><head><meta charset="utf-8"><title>lab viewer</title></head><body><script src="/peers/chromium-viewer-page.js"></script></body></html>';

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

main().catch((err: Error) => {
  log({ level: 'error', event: 'failed', message: err.message });
  process.exit(1);
});
