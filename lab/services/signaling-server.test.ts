// The signaling server on loopback: relaying, queueing, tokens, and bad input that must not hurt anyone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { signJoinToken } from './credentials.js';
import { HardenedServer } from './hardened-server.js';
import { SignalingServer } from './signaling-server.js';

const SECRET = 'test-secret';
let server: HardenedServer;
let port = 0;
const logged: Record<string, unknown>[] = [];

beforeAll(async () => {
  const log = (e: Record<string, unknown>) => logged.push(e);
  const signaling = new SignalingServer({ rooms: { a: ['cam', 'view'], b: ['cam', 'rogue'] }, tokenSecret: SECRET, log, maxMessageBytes: 4096 });
  // Fast heartbeats, so a dead peer is found within the unit test's time.
  server = new HardenedServer({ log, http: {}, ws: { '/signaling': signaling }, limits: { heartbeatMs: 100, deadAfterMs: 400 } });
  port = await server.listen(0, '127.0.0.1');
});
afterAll(() => server.close());

interface Client {
  ws: WebSocket;
  messages: Record<string, unknown>[];
  next(type: string): Promise<Record<string, unknown>>;
}

function connect(room: string, peer: string, token = signJoinToken(SECRET, room, peer, 60)): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/signaling?room=${room}&peer=${peer}&token=${token}`);
    const messages: Record<string, unknown>[] = [];
    const waiters: [string, (m: Record<string, unknown>) => void][] = [];
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString());
      messages.push(m);
      for (const [t, fn] of waiters.splice(0)) (m.type === t ? fn(m) : waiters.push([t, fn]));
    });
    const next = (type: string) =>
      new Promise<Record<string, unknown>>((res, rej) => {
        const seen = messages.find((m) => m.type === type);
        if (seen) {
          messages.splice(messages.indexOf(seen), 1);
          return res(seen);
        }
        const t = setTimeout(() => rej(new Error(`no ${type}`)), 2000);
        waiters.push([type, (m) => (clearTimeout(t), messages.splice(messages.indexOf(m), 1), res(m))]);
      });
    ws.on('open', () => resolve({ ws, messages, next }));
    ws.on('unexpected-response', (_q, res) => reject(new Error(`HTTP ${res.statusCode} ${res.statusMessage}`)));
    ws.on('error', reject);
  });
}

function closeAll(clients: Client[]): Promise<unknown> {
  return Promise.all(clients.map((c) => new Promise((r) => (c.ws.readyState === WebSocket.CLOSED ? r(null) : (c.ws.once('close', r), c.ws.close())))));
}

describe('signaling server', () => {
  it('relays offer, answer and candidates with the sender named, and queues for peers not yet connected', async () => {
    const view = await connect('a', 'view');
    expect((await view.next('welcome')).peers).toEqual([]);
    view.ws.send(JSON.stringify({ type: 'offer', to: 'cam', sdp: 'v=0 offer' }));
    view.ws.send(JSON.stringify({ type: 'candidate', to: 'cam', candidate: { candidate: 'candidate:1 1 udp 1 192.168.1.2 5000 typ host', sdpMid: '0' } }));
    const cam = await connect('a', 'cam'); // connects after the offer: it waited in the queue
    expect(await cam.next('offer')).toEqual({ type: 'offer', from: 'view', sdp: 'v=0 offer' });
    expect((await cam.next('candidate')).from).toBe('view');
    cam.ws.send(JSON.stringify({ type: 'answer', to: 'view', sdp: 'v=0 answer' }));
    expect(await view.next('answer')).toEqual({ type: 'answer', from: 'cam', sdp: 'v=0 answer' });
    expect((await view.next('peer-joined')).peer).toBe('cam');
    await closeAll([view, cam]);
  });

  it('answers bad messages with an error, logs them, and keeps the other room working', async () => {
    const rogue = await connect('b', 'rogue');
    const cam = await connect('a', 'cam');
    const view = await connect('a', 'view');
    rogue.ws.send('{not json');
    expect(await rogue.next('error')).toMatchObject({ code: 'bad-json' });
    rogue.ws.send('x'.repeat(5000));
    expect(await rogue.next('error')).toMatchObject({ code: 'too-large', message: expect.stringContaining('5000 bytes') });
    rogue.ws.send(JSON.stringify({ type: 'offer', to: 'cam' }));
    expect(await rogue.next('error')).toMatchObject({ code: 'bad-message', message: expect.stringContaining('sdp') });
    rogue.ws.send(JSON.stringify({ type: 'offer', to: 'view', sdp: 'x' }));
    expect(await rogue.next('error')).toMatchObject({ code: 'unknown-peer', message: 'no peer "view" in room "b"' });
    rogue.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await rogue.next('error')).toMatchObject({ code: 'bad-message' });
    // Room a is untouched: its messages still flow, and the rogue's never reach it.
    view.ws.send(JSON.stringify({ type: 'offer', to: 'cam', sdp: 'v=0' }));
    expect((await cam.next('offer')).from).toBe('view');
    expect(cam.messages.filter((m) => m.type === 'error')).toEqual([]);
    expect(logged.filter((e) => e.event === 'bad-message').length).toBeGreaterThanOrEqual(5);
    await closeAll([rogue, cam, view]);
  });

  it('a token is good for one room and one peer only, and expires', async () => {
    await expect(connect('b', 'cam', signJoinToken(SECRET, 'a', 'cam', 60))).rejects.toThrow('HTTP 401');
    await expect(connect('a', 'view', signJoinToken(SECRET, 'a', 'cam', 60))).rejects.toThrow('HTTP 401');
    await expect(connect('a', 'cam', signJoinToken(SECRET, 'a', 'cam', -5))).rejects.toThrow('HTTP 401');
    await expect(connect('a', 'cam', signJoinToken('other-secret', 'a', 'cam', 60))).rejects.toThrow('HTTP 401');
    // Unknown room and unknown peer get the same answer as a bad token: nothing to enumerate.
    await expect(connect('zz', 'cam')).rejects.toThrow('HTTP 401');
    await expect(connect('a', 'stranger')).rejects.toThrow('HTTP 401');
  });

  it('a second connection of the same peer replaces the first (close code 4001), without a peer-left', async () => {
    const cam = await connect('a', 'cam');
    const first = await connect('a', 'view');
    await cam.next('peer-joined');
    const closed = new Promise<number>((r) => first.ws.on('close', (code) => r(code)));
    const second = await connect('a', 'view');
    expect(await closed).toBe(4001);
    expect((await cam.next('peer-joined')).peer).toBe('view');
    second.ws.send(JSON.stringify({ type: 'offer', to: 'cam', sdp: 'v=0 second' }));
    expect((await cam.next('offer')).sdp).toBe('v=0 second');
    expect(cam.messages.filter((m) => m.type === 'peer-left')).toEqual([]);
    await closeAll([cam, second]);
  });

  it('a peer that stops answering pings is dropped: its partner is told, messages to it queue again', async () => {
    const cam = await connect('a', 'cam');
    const view = await connect('a', 'view');
    view.ws.pause(); // silent from now on
    expect((await cam.next('peer-left')).peer).toBe('view');
    expect(logged.some((e) => e.event === 'heartbeat-timeout' && e.peer === 'view')).toBe(true);
    cam.ws.send(JSON.stringify({ type: 'offer', to: 'view', sdp: 'v=0 queued' }));
    const back = await connect('a', 'view');
    expect((await back.next('offer')).sdp).toBe('v=0 queued');
    view.ws.terminate();
    await closeAll([cam, back]);
  });
});
