/**
 * The real services process (dist/services.mjs) on 127.0.0.1, and signaling clients for it: what
 * the hardening suite and `npm run bench -- services` attack and measure. Loopback only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { connect as tcpConnect, createServer, type Socket } from 'node:net';
import WebSocket from 'ws';
import { signJoinToken } from './credentials.js';
import type { ServicesConfig } from './services-main.js';
import { bundlePath } from '../util/paths.js';

export const HARNESS_SECRET = 'harness-token-secret';

export interface LoopbackServices {
  port: number;
  pid: number;
  /** Every stdout/stderr line so far. */
  lines: string[];
  exited: { code: number | null; signal: string | null } | null;
  rssMb(): number;
  /** CPU time the process used so far (user + system), ms. */
  cpuMs(): number;
  openFds(): number;
  token(room: string, peer: string, ttlSeconds?: number): string;
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** Writes a line to its stdin (with holdIceConfigForTurnMs: the lab's `turn-ready`). */
  say(line: string): void;
  stop(): Promise<void>;
}

export interface LoopbackOptions {
  rooms: Record<string, string[]>;
  /** Soft and hard RLIMIT_NOFILE of the process (through prlimit), as on a host with a low default. */
  nofile?: number;
  /** Extra node flags, e.g. --cpu-prof to profile the process. */
  nodeArgs?: string[];
  /** As the lab runs it: ICE configs held until `say('turn-ready')`, at most this long. */
  holdIceConfigForTurnMs?: number;
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

export async function startLoopbackServices(opts: LoopbackOptions): Promise<LoopbackServices> {
  const port = await freePort();
  const config: ServicesConfig & { host: string } = {
    port,
    host: '127.0.0.1',
    rooms: opts.rooms,
    tokenSecret: HARNESS_SECRET,
    turnSecret: randomBytes(8).toString('hex'),
    turnHost: '127.0.0.1',
    stunPort: 3478,
    tlsPort: 443,
    ttlSeconds: 300,
    ...(opts.holdIceConfigForTurnMs ? { holdIceConfigForTurnMs: opts.holdIceConfigForTurnMs } : {}),
  };
  const argv = [process.execPath, ...(opts.nodeArgs ?? []), bundlePath('services')];
  const cmd = opts.nofile ? ['prlimit', `--nofile=${opts.nofile}:${opts.nofile}`, '--', ...argv] : argv;
  const proc: ChildProcess = spawn(cmd[0], cmd.slice(1), { env: { ...process.env, LAB_SERVICES_CONFIG: JSON.stringify(config) }, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (l: string) => void }[] = [];
  const onLine = (line: string) => {
    lines.push(line);
    for (const w of waiters.splice(0)) (w.pattern.test(line) ? w.resolve(line) : waiters.push(w));
  };
  for (const stream of [proc.stdout!, proc.stderr!]) {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop()!;
      parts.forEach(onLine);
    });
  }
  const handle: LoopbackServices = {
    port,
    pid: proc.pid!,
    lines,
    exited: null,
    rssMb: () => {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : NaN;
    },
    cpuMs: () => {
      // Fields 14 and 15 of /proc/<pid>/stat, after the parenthesised command name, in clock ticks (100/s).
      const fields = readFileSync(`/proc/${proc.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(fields[11]) + Number(fields[12])) * 10;
    },
    openFds: () => readdirSync(`/proc/${proc.pid}/fd`).length,
    token: (room, peer, ttl = 600) => signJoinToken(HARNESS_SECRET, room, peer, ttl),
    waitForLine: (pattern, timeoutMs) => {
      const seen = lines.find((l) => pattern.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`services: no line matching ${pattern} within ${timeoutMs} ms; last lines:\n${lines.slice(-5).join('\n')}`)), timeoutMs);
        waiters.push({ pattern, resolve: (l) => (clearTimeout(timer), resolve(l)) });
      });
    },
    say: (line) => void proc.stdin!.write(line + '\n'),
    stop: async () => {
      if (handle.exited) return;
      const done = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 2000);
      await done;
      clearTimeout(timer);
    },
  };
  proc.on('exit', (code, signal) => (handle.exited = { code, signal }));
  await Promise.race([
    handle.waitForLine(/"event":"ready"/, 10_000),
    new Promise((_, reject) => proc.once('exit', (code) => reject(new Error(`services exited (code ${code}) before ready:\n${lines.join('\n')}`)))),
  ]);
  return handle;
}

export interface TestClient {
  ws: WebSocket;
  messages: Record<string, unknown>[];
  /** The next message of this type (taken out of `messages`). */
  next(type: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  closed: Promise<{ code: number; reason: string }>;
  send(msg: Record<string, unknown>): void;
}

/** A signaling client; rejects with "HTTP <status>" when the upgrade is refused. */
export function signalingClient(port: number, room: string, peer: string, token: string): Promise<TestClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/signaling?room=${encodeURIComponent(room)}&peer=${encodeURIComponent(peer)}&token=${encodeURIComponent(token)}`);
    const messages: Record<string, unknown>[] = [];
    const waiters: { type: string; fn: (m: Record<string, unknown>) => void }[] = [];
    ws.on('message', (d, isBinary) => {
      if (isBinary) return;
      const m = JSON.parse(d.toString()) as Record<string, unknown>;
      const w = waiters.find((x) => x.type === m.type);
      if (w) {
        waiters.splice(waiters.indexOf(w), 1);
        w.fn(m);
      } else messages.push(m);
    });
    const closed = new Promise<{ code: number; reason: string }>((r) => ws.on('close', (code, reason) => r({ code, reason: reason.toString() })));
    const next = (type: string, timeoutMs = 3000) =>
      new Promise<Record<string, unknown>>((res, rej) => {
        const i = messages.findIndex((m) => m.type === type);
        if (i >= 0) return res(messages.splice(i, 1)[0]);
        const t = setTimeout(() => rej(new Error(`${room}/${peer}: no "${type}" message within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ type, fn: (m) => (clearTimeout(t), res(m)) });
      });
    ws.on('open', () => resolve({ ws, messages, next, closed, send: (m) => ws.send(JSON.stringify(m)) }));
    ws.on('unexpected-response', (_q, res) => {
      reject(new Error(`HTTP ${res.statusCode} ${res.statusMessage}`));
      ws.terminate();
    });
    ws.on('error', reject);
  });
}

/** One offer -> answer exchange between two fresh connections; resolves with the round trip in ms. */
export async function offerAnswer(svc: LoopbackServices, room: string, viewer: string, camera: string, timeoutMs = 5000): Promise<number> {
  const cam = await signalingClient(svc.port, room, camera, svc.token(room, camera));
  const view = await signalingClient(svc.port, room, viewer, svc.token(room, viewer));
  try {
    const t0 = performance.now();
    view.send({ type: 'offer', to: camera, sdp: 'v=0 legit offer' });
    const offer = await cam.next('offer', timeoutMs);
    if (offer.from !== viewer) throw new Error(`offer from ${String(offer.from)}`);
    cam.send({ type: 'answer', to: viewer, sdp: 'v=0 legit answer' });
    const answer = await view.next('answer', timeoutMs);
    if (answer.from !== camera) throw new Error(`answer from ${String(answer.from)}`);
    return performance.now() - t0;
  } finally {
    cam.ws.close();
    view.ws.close();
    await Promise.all([cam.closed, view.closed]);
  }
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function httpRequest(port: number, method: string, path: string, headers: Record<string, string> = {}, timeoutMs = 3000): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** A raw TCP connection (no HTTP client in the way); errors are recorded, not thrown. */
export function rawSocket(port: number): Promise<Socket & { failure?: Error }> {
  return new Promise((resolve) => {
    const s = tcpConnect(port, '127.0.0.1') as Socket & { failure?: Error };
    s.on('error', (err) => (s.failure = err));
    s.once('connect', () => resolve(s));
    s.once('close', () => resolve(s));
  });
}

/** Sends a WebSocket upgrade request for `path` and resolves with the HTTP status line it gets. */
export async function rawUpgrade(port: number, path: string, extraHeaders = ''): Promise<{ socket: Socket; status: string }> {
  const socket = await rawSocket(port);
  const key = randomBytes(16).toString('base64');
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${extraHeaders}\r\n`);
  const status = await new Promise<string>((resolve) => {
    let got = '';
    const onData = (c: Buffer) => {
      got += c.toString('latin1');
      if (got.includes('\r\n')) {
        socket.off('data', onData);
        resolve(got.slice(0, got.indexOf('\r\n')));
      }
    };
    socket.on('data', onData);
    socket.once('close', () => resolve(got || '(closed without an answer)'));
  });
  return { socket, status };
}
