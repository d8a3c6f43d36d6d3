/** Rooms, relaying and validation for the lab's signaling (see signaling-protocol.ts). */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { verifyJoinToken } from './credentials.js';
import { MAX_MESSAGE_BYTES, clientMessageSchema, type ServerMessage, type SignalingErrorCode } from './signaling-protocol.js';

export interface SignalingOptions {
  /** Room -> the peer ids allowed in it. */
  rooms: Record<string, string[]>;
  tokenSecret: string;
  path?: string;
  maxMessageBytes?: number;
  /** Messages held per peer that has not connected yet. */
  maxQueued?: number;
  log?: (entry: Record<string, unknown>) => void;
}

interface Room {
  allowed: Set<string>;
  connected: Map<string, WebSocket>;
  queued: Map<string, ServerMessage[]>;
}

export class SignalingServer {
  private rooms = new Map<string, Room>();
  private wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  private readonly maxBytes: number;
  private readonly maxQueued: number;
  private readonly log: (entry: Record<string, unknown>) => void;

  constructor(private opts: SignalingOptions) {
    for (const [name, peers] of Object.entries(opts.rooms)) this.rooms.set(name, { allowed: new Set(peers), connected: new Map(), queued: new Map() });
    this.maxBytes = opts.maxMessageBytes ?? MAX_MESSAGE_BYTES;
    this.maxQueued = opts.maxQueued ?? 500;
    this.log = opts.log ?? (() => {});
  }

  attach(server: Server): void {
    server.on('upgrade', (req, socket, head) => {
      try {
        this.upgrade(req, socket, head);
      } catch (err) {
        this.log({ level: 'error', event: 'upgrade-failed', message: (err as Error).message });
        socket.destroy();
      }
    });
  }

  close(): void {
    for (const room of this.rooms.values()) for (const ws of room.connected.values()) ws.terminate();
    this.wss.close();
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://lab');
    const reject = (status: number, reason: string) => {
      this.log({ level: 'warn', event: 'rejected', status, reason, room: url.searchParams.get('room'), peer: url.searchParams.get('peer') });
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== (this.opts.path ?? '/signaling')) return reject(404, 'Not Found');
    const roomName = url.searchParams.get('room') ?? '';
    const peer = url.searchParams.get('peer') ?? '';
    const room = this.rooms.get(roomName);
    if (!room) return reject(404, 'Unknown Room');
    if (!room.allowed.has(peer)) return reject(403, 'Unknown Peer');
    const check = verifyJoinToken(this.opts.tokenSecret, roomName, peer, url.searchParams.get('token') ?? '');
    if (!check.ok) return reject(401, check.reason.replace(/[^\x20-\x7e]/g, ''));
    if (room.connected.has(peer)) return reject(409, 'Peer Already Connected');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.join(roomName, room, peer, ws));
  }

  private join(roomName: string, room: Room, peer: string, ws: WebSocket): void {
    room.connected.set(peer, ws);
    this.log({ event: 'joined', room: roomName, peer });
    send(ws, { type: 'welcome', room: roomName, peer, peers: [...room.connected.keys()].filter((p) => p !== peer) });
    for (const [other, otherWs] of room.connected) if (other !== peer) send(otherWs, { type: 'peer-joined', peer });
    for (const msg of room.queued.get(peer) ?? []) send(ws, msg);
    room.queued.delete(peer);
    ws.on('message', (data, isBinary) => {
      try {
        this.onMessage(roomName, room, peer, ws, data, isBinary);
      } catch (err) {
        this.reply(ws, roomName, peer, 'internal', (err as Error).message);
      }
    });
    ws.on('close', () => {
      if (room.connected.get(peer) === ws) room.connected.delete(peer);
      this.log({ event: 'left', room: roomName, peer });
      for (const otherWs of room.connected.values()) send(otherWs, { type: 'peer-left', peer });
    });
    ws.on('error', (err) => this.log({ level: 'warn', event: 'socket-error', room: roomName, peer, message: err.message }));
  }

  private onMessage(roomName: string, room: Room, from: string, ws: WebSocket, data: RawData, isBinary: boolean): void {
    const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer).byteLength;
    if (bytes > this.maxBytes) return this.reply(ws, roomName, from, 'too-large', `message of ${bytes} bytes is over the ${this.maxBytes}-byte limit`);
    if (isBinary) return this.reply(ws, roomName, from, 'bad-message', 'binary frames are not part of the protocol; send JSON text');
    let json: unknown;
    try {
      json = JSON.parse(data.toString());
    } catch {
      return this.reply(ws, roomName, from, 'bad-json', 'message is not valid JSON');
    }
    const parsed = clientMessageSchema.safeParse(json);
    if (!parsed.success) {
      const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`).join('; ');
      return this.reply(ws, roomName, from, 'bad-message', detail);
    }
    const { to, ...rest } = parsed.data;
    if (!room.allowed.has(to)) return this.reply(ws, roomName, from, 'unknown-peer', `no peer "${to}" in room "${roomName}"`);
    const relayed = { ...rest, from } as ServerMessage;
    const target = room.connected.get(to);
    if (target) return send(target, relayed);
    const queue = room.queued.get(to) ?? [];
    if (queue.length >= this.maxQueued) return this.reply(ws, roomName, from, 'queue-full', `peer "${to}" has not connected and ${this.maxQueued} messages already wait for it`);
    queue.push(relayed);
    room.queued.set(to, queue);
  }

  private reply(ws: WebSocket, room: string, peer: string, code: SignalingErrorCode, message: string): void {
    this.log({ level: 'warn', event: 'bad-message', room, peer, code, message });
    send(ws, { type: 'error', code, message });
  }
}

function send(ws: WebSocket, msg: ServerMessage): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
}
