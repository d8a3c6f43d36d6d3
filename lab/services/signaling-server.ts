/**
 * Rooms, relaying and validation for the lab's signaling (see signaling-protocol.ts), as a
 * WebSocket route of the hardened server (hardened-server.ts: budgets, heartbeats, caps).
 */
import type { IncomingMessage } from 'node:http';
import type { RawData } from 'ws';
import { verifyJoinToken } from './credentials.js';
import { CLOSE, type GuardedSocket, type Log, type UpgradeDecision, type WsRoute } from './hardened-server.js';
import { boundedText } from './log-line.js';
import { AbsentPeerQueues, DEFAULT_QUEUE_LIMITS, type QueueLimits } from './message-queue.js';
import { MAX_MESSAGE_BYTES, clientMessageSchema, type ServerMessage, type SignalingErrorCode } from './signaling-protocol.js';

export interface SignalingOptions {
  /** Room -> the peer ids allowed in it. */
  rooms: Record<string, string[]>;
  tokenSecret: string;
  maxMessageBytes?: number;
  /** Limits of the messages held for peers that are not connected. */
  queue?: Partial<QueueLimits>;
  log?: Log;
}

interface Room {
  allowed: Set<string>;
  connected: Map<string, GuardedSocket>;
  queued: AbsentPeerQueues;
}

/** Detail of an error reply: enough to fix the message, never the size of what the client sent. */
const MAX_DETAIL = 200;

export class SignalingServer implements WsRoute {
  private rooms = new Map<string, Room>();
  private readonly maxBytes: number;
  private readonly log: Log;

  constructor(private opts: SignalingOptions) {
    const limits = { ...DEFAULT_QUEUE_LIMITS, ...opts.queue };
    for (const [name, peers] of Object.entries(opts.rooms)) this.rooms.set(name, { allowed: new Set(peers), connected: new Map(), queued: new AbsentPeerQueues(limits) });
    this.maxBytes = opts.maxMessageBytes ?? MAX_MESSAGE_BYTES;
    this.log = opts.log ?? (() => {});
    // Expired messages are dropped on every push and take; this frees them in a quiet room too.
    setInterval(() => {
      for (const room of this.rooms.values()) room.queued.expire();
    }, Math.min(10_000, limits.ttlMs)).unref();
  }

  /** One answer (401) for an unknown room, an unknown peer and a bad token: nothing to enumerate. */
  authorize(req: IncomingMessage, url: URL): UpgradeDecision {
    const roomName = url.searchParams.get('room') ?? '';
    const peer = url.searchParams.get('peer') ?? '';
    const room = this.rooms.get(roomName);
    const check = verifyJoinToken(this.opts.tokenSecret, roomName, peer, url.searchParams.get('token') ?? '');
    const why = !room ? 'unknown room' : !room.allowed.has(peer) ? 'unknown peer' : check.ok ? null : check.reason;
    if (why || !room) {
      this.log({ level: 'warn', event: 'rejected', status: 401, reason: boundedText(why ?? '', MAX_DETAIL), room: boundedText(roomName, 64), peer: boundedText(peer, 64), from: req.socket.remoteAddress });
      return { ok: false, status: 401 };
    }
    return { ok: true, accept: (conn) => this.join(roomName, room, peer, conn) };
  }

  private join(roomName: string, room: Room, peer: string, conn: GuardedSocket): void {
    conn.label = { room: roomName, peer };
    const stale = room.connected.get(peer);
    room.connected.set(peer, conn);
    if (stale) {
      // The token proves it is the same peer: its newer connection wins, the older one is closed.
      this.log({ level: 'warn', event: 'replaced', room: roomName, peer });
      stale.close(CLOSE.replaced, 'replaced by a newer connection of this peer');
    }
    this.log({ event: 'joined', room: roomName, peer });
    conn.send(json({ type: 'welcome', room: roomName, peer, peers: [...room.connected.keys()].filter((p) => p !== peer) }));
    const joined = json({ type: 'peer-joined', peer });
    for (const [other, otherConn] of room.connected) if (other !== peer) otherConn.send(joined);
    for (const text of room.queued.take(peer)) conn.send(text);
    conn.ws.on('message', (data, isBinary) => {
      if (room.connected.get(peer) !== conn) return; // replaced: what the old connection still says is stale
      try {
        this.onMessage(roomName, room, peer, conn, data, isBinary);
      } catch (err) {
        this.reply(conn, roomName, peer, 'internal', (err as Error).message);
      }
    });
    conn.ws.once('close', () => {
      if (room.connected.get(peer) !== conn) return; // replaced: the peer is still there
      room.connected.delete(peer);
      this.log({ event: 'left', room: roomName, peer });
      const left = json({ type: 'peer-left', peer });
      for (const otherConn of room.connected.values()) otherConn.send(left);
    });
  }

  private onMessage(roomName: string, room: Room, from: string, conn: GuardedSocket, data: RawData, isBinary: boolean): void {
    const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer).byteLength;
    if (bytes > this.maxBytes) return this.reply(conn, roomName, from, 'too-large', `message of ${bytes} bytes is over the ${this.maxBytes}-byte limit`);
    if (isBinary) return this.reply(conn, roomName, from, 'bad-message', 'binary frames are not part of the protocol; send JSON text');
    let value: unknown;
    try {
      value = JSON.parse(data.toString());
    } catch {
      return this.reply(conn, roomName, from, 'bad-json', 'message is not valid JSON');
    }
    const parsed = clientMessageSchema.safeParse(value);
    if (!parsed.success) {
      const detail = parsed.error.issues.slice(0, 3).map((i) => `${boundedText(i.path.join('.'), 40) || '(message)'}: ${boundedText(i.message, 80)}`).join('; ');
      return this.reply(conn, roomName, from, 'bad-message', detail);
    }
    const { to, ...rest } = parsed.data;
    if (!room.allowed.has(to)) return this.reply(conn, roomName, from, 'unknown-peer', `no peer "${to}" in room "${roomName}"`);
    const relayed = json({ ...rest, from } as ServerMessage);
    const target = room.connected.get(to);
    if (target) {
      target.send(relayed);
      target.holdBack(conn);
      return;
    }
    const queued = room.queued.push(to, relayed);
    if (!queued.ok) this.reply(conn, roomName, from, 'queue-full', `peer "${to}" has not connected and ${queued.reason}`);
  }

  private reply(conn: GuardedSocket, room: string, peer: string, code: SignalingErrorCode, message: string): void {
    const detail = boundedText(message, MAX_DETAIL);
    this.log({ level: 'warn', event: 'bad-message', room, peer, code, message: detail });
    conn.send(json({ type: 'error', code, message: detail }));
    conn.holdBack(conn); // a client that floods bad messages and reads no replies stops being read
  }
}

function json(msg: ServerMessage): string {
  return JSON.stringify(msg);
}
