// The signaling server on loopback: relaying, queueing, tokens, and bad input that must not hurt anyone.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { signJoinToken } from './credentials.js';
import { SignalingServer } from './signaling-server.js';

const SECRET = 'test-secret';
let server: Server;
let port = 0;
const logged: Record<string, unknown>[] = [];

beforeAll(async () => {
  server = createServer();
  new SignalingServer({ rooms: { a: ['cam', 'view'], b: ['cam', 'rogue'] }, tokenSecret: SECRET, log: (e) => logged.push(e), maxMessageBytes: 4096 }).attach(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as { port: number }).port;
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
    view.ws.close();
    cam.ws.close();
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
    for (const c of [rogue, cam, view]) c.ws.close();
  });

  it('a token is good for one room and one peer only, and expires', async () => {
    await expect(connect('b', 'cam', signJoinToken(SECRET, 'a', 'cam', 60))).rejects.toThrow('HTTP 401');
    await expect(connect('a', 'view', signJoinToken(SECRET, 'a', 'cam', 60))).rejects.toThrow('HTTP 401');
    await expect(connect('a', 'cam', signJoinToken(SECRET, 'a', 'cam', -5))).rejects.toThrow('HTTP 401');
    await expect(connect('a', 'cam', signJoinToken('other-secret', 'a', 'cam', 60))).rejects.toThrow('HTTP 401');
    await expect(connect('zz', 'cam')).rejects.toThrow('HTTP 404');
    await expect(connect('a', 'stranger')).rejects.toThrow('HTTP 403');
  });

  it('refuses a second connection for the same peer', async () => {
    const first = await connect('a', 'view');
    await expect(connect('a', 'view')).rejects.toThrow('HTTP 409');
    first.ws.close();
  });
});
