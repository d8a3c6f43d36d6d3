/**
 * The one HTTP + WebSocket base every server the lab runs is built on (signaling and ICE config
 * today; KVS emulator, WHEP and user-facing endpoints later). Rules, applied by mechanism rather
 * than per route (docs/services-hardening.md):
 * - every socket gets an error listener the moment it is accepted (Node drops its own when it hands
 *   an upgrade over, and a reset on such a socket used to kill the process);
 * - a cap on open sockets below the fd limit: at the cap the oldest socket with no request in
 *   flight is evicted, so a flood of idle connections cannot lock /health or a peer out;
 * - header, request and idle timeouts; a rejected upgrade is destroyed shortly after its answer;
 * - routes declare their methods (others get 405 with Allow); an Upgrade header on a path that is
 *   not a WebSocket route is answered as plain HTTP;
 * - WebSocket connections have a send budget: above a low-water mark the senders that feed them
 *   stop being read (backpressure); over the budget, or congested for too long, they are closed
 *   with 1008; pings find a dead peer within seconds.
 */
import { STATUS_CODES, ServerResponse, createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { boundedText } from './log-line.js';

export interface ServerLimits {
  /** Open sockets at most (default: below the process's fd limit, at most 4096). */
  maxSockets: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /** An HTTP socket with nothing moving this long is destroyed. */
  idleSocketMs: number;
  /** A rejected upgrade's socket is destroyed this long after its answer, closed or not. */
  rejectLingerMs: number;
  maxPayloadBytes: number;
  /** Send budget of one WebSocket: bytes waiting to go out. Over it: closed with 1008. */
  maxBufferedBytes: number;
  /** Above this, whoever sends to the connection is no longer read until it drains. */
  lowWaterBytes: number;
  /** Above the low-water mark this long without draining: closed with 1008. */
  stallMs: number;
  heartbeatMs: number;
  /** No pong or message for this long: the peer is dead; its connection is terminated. */
  deadAfterMs: number;
  /** After a close frame, the socket is destroyed this long later if the far end did not close. */
  closeGraceMs: number;
}

export const DEFAULT_LIMITS: Omit<ServerLimits, 'maxSockets'> = {
  // Generous enough for a server starved of CPU for seconds (a loaded CI machine): a slowloris
  // client is still cut off within seconds.
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 20_000,
  idleSocketMs: 5000,
  rejectLingerMs: 1000,
  maxPayloadBytes: 1024 * 1024,
  maxBufferedBytes: 1024 * 1024,
  lowWaterBytes: 256 * 1024,
  stallMs: 5000,
  heartbeatMs: 2000,
  deadAfterMs: 5000,
  closeGraceMs: 1000,
};

/** WebSocket close codes the lab's servers use. */
export const CLOSE = {
  /** The peer does not read what it is sent (send budget exceeded or congested too long). */
  notReading: 1008,
  /** A newer connection of the same peer (same room, same peer id, valid token) took its place. */
  replaced: 4001,
  serverShutdown: 1001,
} as const;

/** Soft RLIMIT_NOFILE of this process, from /proc (null when unknown). */
export function fdSoftLimit(): number | null {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export function defaultMaxSockets(fdLimit = fdSoftLimit()): number {
  // Keep fds for the process itself (stdio, the listener, files it reads, the event loop).
  return Math.max(64, Math.min(4096, (fdLimit ?? 1024) - 64));
}

export type Log = (entry: Record<string, unknown>) => void;

export interface HttpRoute {
  /** Accepted methods; HEAD is accepted wherever GET is. */
  methods: readonly string[];
  handle(req: IncomingMessage, res: ServerResponse, url: URL): void;
}

export type UpgradeDecision = { ok: true; accept(conn: GuardedSocket): void } | { ok: false; status: number };

export interface WsRoute {
  authorize(req: IncomingMessage, url: URL): UpgradeDecision;
}

export interface HardenedServerSpec {
  /** Exact paths, or a prefix with a trailing `/*` (e.g. `/resource/*`: `/resource/<id>`); exact ones win. */
  http: Record<string, HttpRoute>;
  ws?: Record<string, WsRoute>;
  limits?: Partial<ServerLimits>;
  log: Log;
  /** Serve HTTPS/WSS with this certificate (PEM): the sockets tracked are the TLS ones. */
  tls?: { cert: string | Buffer; key: string | Buffer };
}

interface SocketState {
  kind: 'http' | 'ws' | 'rejected';
  busy: boolean;
}

export class HardenedServer {
  readonly server: Server;
  readonly limits: ServerLimits;
  private sockets = new Map<Duplex, SocketState>();
  private conns = new Set<GuardedSocket>();
  private wss: WebSocketServer;
  private tick: NodeJS.Timeout | null = null;
  private evicted = 0;
  private clientErrors = 0;
  private lastTick = 0;
  private get tickMs(): number {
    return Math.min(500, this.limits.heartbeatMs / 2);
  }

  constructor(private spec: HardenedServerSpec) {
    this.limits = { ...DEFAULT_LIMITS, maxSockets: defaultMaxSockets(), ...spec.limits };
    const l = this.limits;
    const options = { headersTimeout: l.headersTimeoutMs, requestTimeout: l.requestTimeoutMs, keepAliveTimeout: l.idleSocketMs, connectionsCheckingInterval: 500 };
    const handler = (req: IncomingMessage, res: ServerResponse) => this.request(req, res);
    this.server = spec.tls ? createHttpsServer({ ...options, ...spec.tls }, handler) : createServer(options, handler);
    this.server.setTimeout(l.idleSocketMs);
    this.wss = new WebSocketServer({ noServer: true, maxPayload: l.maxPayloadBytes, perMessageDeflate: false, clientTracking: false });
    // With TLS, requests and upgrades arrive on the TLS socket: that is the one to track.
    this.server.prependListener(spec.tls ? 'secureConnection' : 'connection', (socket: Socket) => this.accepted(socket));
    if (spec.tls) this.server.on('tlsClientError', (_err: Error, socket: Duplex) => socket.destroy());
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
      const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
      if (err.code !== 'ECONNRESET') {
        if (this.clientErrors++ % 100 === 0) this.spec.log({ level: 'warn', event: 'client-error', status, code: err.code, count: this.clientErrors });
        if (socket.writable) socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      }
      socket.destroy();
    });
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ port, host, backlog: 4096 }, () => {
        this.server.off('error', reject);
        this.tick = setInterval(() => this.onTick(), this.tickMs);
        this.tick.unref();
        resolve((this.server.address() as { port: number }).port);
      });
    });
  }

  close(): void {
    if (this.tick) clearInterval(this.tick);
    for (const c of this.conns) c.close(CLOSE.serverShutdown, 'server shutting down');
    for (const s of this.sockets.keys()) s.destroy();
    this.server.close();
  }

  stats(): { sockets: number; websockets: number; evicted: number } {
    return { sockets: this.sockets.size, websockets: this.conns.size, evicted: this.evicted };
  }

  private accepted(socket: Socket): void {
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') this.spec.log({ level: 'warn', event: 'socket-error', message: boundedText(err.message) });
    });
    this.sockets.set(socket, { kind: 'http', busy: false });
    socket.once('close', () => this.sockets.delete(socket));
    if (this.sockets.size > this.limits.maxSockets) this.evictOne(socket);
  }

  /** At the cap: the oldest socket with no request in flight goes, or else the newcomer. */
  private evictOne(newcomer: Socket): void {
    let victim: Duplex = newcomer;
    for (const [s, st] of this.sockets) {
      if (s !== newcomer && (st.kind === 'rejected' || (st.kind === 'http' && !st.busy))) {
        victim = s;
        break;
      }
    }
    this.evicted++;
    if (this.evicted === 1 || this.evicted % 1000 === 0) this.spec.log({ level: 'warn', event: 'socket-cap', maxSockets: this.limits.maxSockets, evicted: this.evicted });
    this.sockets.delete(victim);
    victim.destroy();
  }

  private request(req: IncomingMessage, res: ServerResponse): void {
    const state = this.sockets.get(req.socket);
    if (state) {
      state.busy = true;
      res.once('close', () => (state.busy = false));
    }
    this.route(req, res);
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    try {
      const url = new URL(req.url ?? '/', 'http://lab');
      const route = this.spec.http[url.pathname] ?? prefixRoute(this.spec.http, url.pathname);
      if (!route) return sendJson(res, 404, { message: `no endpoint ${boundedText(url.pathname, 200)}` });
      const allowed = route.methods.includes('GET') && !route.methods.includes('HEAD') ? [...route.methods, 'HEAD'] : [...route.methods];
      if (!allowed.includes(req.method ?? '')) {
        res.setHeader('allow', allowed.join(', '));
        return sendJson(res, 405, { message: `${boundedText(req.method ?? '', 20)} is not allowed on ${url.pathname} (allowed: ${allowed.join(', ')})` });
      }
      route.handle(req, res, url);
    } catch (err) {
      this.spec.log({ level: 'error', event: 'http-error', message: boundedText((err as Error).message) });
      if (!res.headersSent) sendJson(res, 500, { message: 'internal error' });
      else res.destroy();
    }
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Node removed its own error listener before this event: the one from accepted() remains;
    // a socket that reached us another way gets one here.
    if (!this.sockets.has(socket)) {
      socket.on('error', () => {});
      this.sockets.set(socket, { kind: 'http', busy: true });
      socket.once('close', () => this.sockets.delete(socket));
    }
    const state = this.sockets.get(socket)!;
    state.busy = true;
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://lab');
    } catch {
      return this.reject(socket, state, 400);
    }
    const route = this.spec.ws?.[url.pathname];
    if (!route) return this.upgradeAsHttp(req, socket, state);
    let decision: UpgradeDecision;
    try {
      decision = route.authorize(req, url);
    } catch (err) {
      this.spec.log({ level: 'error', event: 'upgrade-failed', message: boundedText((err as Error).message) });
      return this.reject(socket, state, 500);
    }
    if (!decision.ok) return this.reject(socket, state, decision.status);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      state.kind = 'ws';
      const conn = new GuardedSocket(ws, socket, this.limits, this.spec.log);
      this.conns.add(conn);
      ws.once('close', () => this.conns.delete(conn));
      decision.accept(conn);
    });
  }

  /** An Upgrade header on a plain HTTP path: answered by the route like any request. */
  private upgradeAsHttp(req: IncomingMessage, socket: Duplex, state: SocketState): void {
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket as Socket);
    res.once('finish', () => {
      res.detachSocket(socket as Socket);
      this.lingerThenDestroy(socket, state);
    });
    this.route(req, res);
  }

  private reject(socket: Duplex, state: SocketState, status: number): void {
    if (socket.writable) socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    this.lingerThenDestroy(socket, state);
  }

  private lingerThenDestroy(socket: Duplex, state: SocketState): void {
    state.kind = 'rejected';
    state.busy = false;
    socket.end();
    setTimeout(() => socket.destroy(), this.limits.rejectLingerMs).unref();
  }

  private onTick(): void {
    const now = performance.now();
    // A late tick means this process was not running (starved or blocked): pongs may be waiting
    // unread in socket buffers, so nobody is judged dead on this tick.
    const late = this.lastTick > 0 && now - this.lastTick > 3 * this.tickMs;
    this.lastTick = now;
    for (const c of this.conns) c.check(now, late);
  }
}

/**
 * Sends to one socket within one turn of the event loop go out in one write: a 500-peer room's
 * join burst sends each member hundreds of peer-joined messages, one syscall each without it.
 */
const corked = new Set<Duplex>();
function cork(socket: Duplex): void {
  if (corked.has(socket)) return;
  if (!corked.size) setImmediate(uncorkAll);
  corked.add(socket);
  socket.cork();
}
function uncorkAll(): void {
  for (const s of corked) s.uncork();
  corked.clear();
}

function prefixRoute(routes: Record<string, HttpRoute>, path: string): HttpRoute | undefined {
  for (const [key, route] of Object.entries(routes)) if (key.endsWith('/*') && path.startsWith(key.slice(0, -1)) && path.length > key.length - 1) return route;
  return undefined;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/**
 * A WebSocket with a send budget, backpressure towards the peers that feed it, and a heartbeat.
 * Routes send through it only; `ws` is exposed for listening.
 */
export class GuardedSocket {
  /** Log fields that name this connection (room, peer), set by the route. */
  label: Record<string, unknown> = {};
  private lastSeen = performance.now();
  private lastPing = 0;
  private congestedSince = 0;
  private closing = false;
  /** Whether backpressure ever held this connection back (logged once). */
  private everHeld = false;
  /** Senders not read until this connection drains. */
  private holding = new Set<GuardedSocket>();
  /** Connections this one waits for. */
  private waitingFor = new Set<GuardedSocket>();

  constructor(
    readonly ws: WebSocket,
    private raw: Duplex,
    private limits: ServerLimits,
    private log: Log,
  ) {
    const seen = () => (this.lastSeen = performance.now());
    ws.on('pong', seen);
    ws.on('message', seen);
    ws.on('error', (err) => this.log({ level: 'warn', event: 'socket-error', ...this.label, message: boundedText(err.message) }));
    raw.on('drain', () => this.drained());
    ws.once('close', () => {
      this.closing = true;
      this.releaseHeld();
      for (const t of this.waitingFor) t.holding.delete(this);
      this.waitingFor.clear();
    });
  }

  get open(): boolean {
    return !this.closing && this.ws.readyState === WebSocket.OPEN;
  }

  get congested(): boolean {
    return this.ws.bufferedAmount > this.limits.lowWaterBytes;
  }

  /** Sends within the budget; a connection over it is closed and false returned. */
  send(text: string): boolean {
    if (!this.open) return false;
    if (this.ws.bufferedAmount + text.length > this.limits.maxBufferedBytes) {
      this.notReading(`its send buffer would exceed ${this.limits.maxBufferedBytes} bytes`);
      return false;
    }
    cork(this.raw);
    this.ws.send(text);
    if (!this.congestedSince && this.congested) this.congestedSince = performance.now();
    return true;
  }

  /** Backpressure: stop reading `sender` until this connection drains (or closes). */
  holdBack(sender: GuardedSocket): void {
    if (!this.congested || !this.open || !sender.open) return;
    if (!sender.everHeld) {
      sender.everHeld = true;
      this.log({ event: 'backpressure', ...sender.label, waitsFor: this.label.peer, bufferedBytes: this.ws.bufferedAmount });
    }
    this.holding.add(sender);
    sender.waitingFor.add(this);
    sender.ws.pause();
  }

  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.releaseHeld();
    this.ws.close(code, reason);
    setTimeout(() => this.ws.terminate(), this.limits.closeGraceMs).unref();
  }

  /** Called by the server's tick: congestion deadline, dead-peer detection, pings. */
  check(now: number, late = false): void {
    if (this.closing) return;
    if (late) this.lastSeen = Math.max(this.lastSeen, now - this.limits.heartbeatMs);
    if (this.congestedSince && !this.congested) this.drained();
    if (this.congestedSince && now - this.congestedSince > this.limits.stallMs) return this.notReading(`it did not drain its send buffer within ${this.limits.stallMs} ms`);
    // A connection we stopped reading cannot be judged by what it sends.
    if (this.waitingFor.size) {
      this.lastSeen = now;
      return;
    }
    if (now - this.lastSeen > this.limits.deadAfterMs) {
      this.log({ level: 'warn', event: 'heartbeat-timeout', ...this.label, silentMs: Math.round(now - this.lastSeen) });
      this.closing = true;
      this.releaseHeld();
      this.ws.terminate();
      return;
    }
    if (now - this.lastPing >= this.limits.heartbeatMs) {
      this.lastPing = now;
      this.ws.ping();
    }
  }

  private notReading(why: string): void {
    this.log({ level: 'warn', event: 'send-budget-exceeded', ...this.label, closeCode: CLOSE.notReading, bufferedBytes: this.ws.bufferedAmount, reason: why });
    this.close(CLOSE.notReading, 'send budget exceeded: this client does not read');
  }

  private drained(): void {
    if (this.congested) return;
    this.congestedSince = 0;
    this.releaseHeld();
  }

  private releaseHeld(): void {
    for (const s of this.holding) {
      s.waitingFor.delete(this);
      if (!s.waitingFor.size && !s.closing) {
        s.lastSeen = performance.now();
        s.ws.resume();
      }
    }
    this.holding.clear();
  }
}
