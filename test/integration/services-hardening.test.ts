// The real services process (dist/services.mjs) on 127.0.0.1, attacked with each attack of issue
// 13: it must survive, the attacker must get a clear error or a close, a legitimate pair must still
// exchange offer and answer, memory must stay bounded and a dead peer must be able to rejoin.
// Loopback only; every attack is bounded in count and time.
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { signJoinToken } from '../../lab/services/credentials.js';
import {
  httpRequest,
  offerAnswer,
  rawSocket,
  rawUpgrade,
  signalingClient,
  startLoopbackServices,
  type LoopbackServices,
  type TestClient,
} from '../../lab/services/loopback-harness.js';

const ROOMS = {
  legit: ['cam', 'view'],
  a: ['cam', 'view'],
  b: ['cam', 'rogue', 'flood', 'fast', 'slow', 'sink'],
  crowd: Array.from({ length: 200 }, (_, i) => `p${i}`),
};
const RSS_BUDGET_MB = 100;

let svc: LoopbackServices | null = null;
const extraSockets: Socket[] = [];
const extraClients: TestClient[] = [];

async function start(opts: { nofile?: number } = {}): Promise<LoopbackServices> {
  svc = await startLoopbackServices({ rooms: ROOMS, ...opts });
  return svc;
}

afterEach(async () => {
  for (const s of extraSockets.splice(0)) s.destroy();
  for (const c of extraClients.splice(0)) c.ws.terminate();
  await svc?.stop();
  svc = null;
});

/** The process is alive, /health answers and a legitimate pair exchanges offer and answer. */
async function expectHealthy(s: LoopbackServices): Promise<void> {
  expect(s.exited, `services process died:\n${s.lines.slice(-8).join('\n')}`).toBeNull();
  expect((await httpRequest(s.port, 'GET', '/health')).status).toBe(200);
  expect(await offerAnswer(s, 'legit', 'view', 'cam')).toBeLessThan(3000);
}

function track<T extends TestClient>(c: T): T {
  extraClients.push(c);
  return c;
}

async function until(what: string, deadlineMs: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('services hardening: finding 1 (a remote crash without a token)', () => {
  it('survives rejected upgrades whose client resets the connection (RST after the rejection)', async () => {
    const s = await start();
    const before = s.openFds();
    const paths = ['/nope', '/signaling?room=zz&peer=cam&token=x', '/signaling?room=a&peer=stranger&token=x', `/signaling?room=a&peer=cam&token=${signJoinToken('forged', 'a', 'cam', 60)}`];
    for (let round = 0; round < 5; round++) {
      for (const path of paths) {
        const { socket, status } = await rawUpgrade(s.port, path);
        expect(status, `${path}: services exited ${JSON.stringify(s.exited)}:\n${s.lines.slice(-4).join('\n')}`).toMatch(/^HTTP\/1\.1 4\d\d /);
        socket.resetAndDestroy(); // SO_LINGER 0: a TCP reset instead of FIN
      }
    }
    // A reset while the request is still being read, and one with the upgrade half sent.
    for (let i = 0; i < 10; i++) {
      const raw = await rawSocket(s.port);
      raw.write(i % 2 ? 'GET /signaling?room=a HTTP/1.1\r\nUpgrade: websocket\r\n' : 'GET /sig');
      raw.resetAndDestroy();
    }
    // Every reset processed: the server closed those sockets (or died of them).
    await until('the server has seen every reset', 5000, () => s.exited !== null || s.openFds() <= before + 2);
    await expectHealthy(s);
  });
});

describe('services hardening: finding 2 (unbounded memory with one valid token)', () => {
  it('closes a peer that floods offers to itself and never reads, and memory stays bounded', async () => {
    const s = await start();
    const base = s.rssMb();
    const flood = track(await signalingClient(s.port, 'b', 'flood', s.token('b', 'flood')));
    flood.ws.pause(); // never reads again
    const offer = JSON.stringify({ type: 'offer', to: 'flood', sdp: 'x'.repeat(60_000) });
    let peak = base;
    let sent = 0;
    let closedByServer = false;
    flood.closed.then(() => (closedByServer = true));
    const during = offerAnswer(s, 'legit', 'view', 'cam', 8000);
    const end = Date.now() + 7000;
    while (Date.now() < end && flood.ws.readyState === WebSocket.OPEN && !closedByServer) {
      if (flood.ws.bufferedAmount < 1 << 20) {
        flood.ws.send(offer);
        sent++;
      }
      peak = Math.max(peak, s.rssMb());
      await new Promise((r) => setTimeout(r, sent % 20 ? 0 : 5));
    }
    expect(await during).toBeLessThan(8000);
    flood.ws.resume();
    await until('the non-reading peer is closed by the server', 5000, () => flood.ws.readyState === WebSocket.CLOSED);
    expect(peak - base, `RSS ${base.toFixed(0)} -> ${peak.toFixed(0)} MB after ${sent} offers`).toBeLessThan(RSS_BUDGET_MB);
    expect(s.lines.some((l) => /"event":"send-budget-exceeded"/.test(l) && /"peer":"flood"/.test(l) && /"closeCode":1008/.test(l))).toBe(true);
    await expectHealthy(s);
  });

  it('a slow partner does not grow memory: the sender is held back or the reader closed', async () => {
    const s = await start();
    const base = s.rssMb();
    const fast = track(await signalingClient(s.port, 'b', 'fast', s.token('b', 'fast')));
    const slow = track(await signalingClient(s.port, 'b', 'slow', s.token('b', 'slow')));
    slow.ws.pause();
    // Reads a little now and then: a partner on a bad link, not a dead one.
    const trickle = setInterval(() => {
      slow.ws.resume();
      setTimeout(() => slow.ws.pause(), 2);
    }, 250);
    const offer = JSON.stringify({ type: 'offer', to: 'slow', sdp: 'y'.repeat(60_000) });
    let peak = base;
    const end = Date.now() + 7000;
    try {
      while (Date.now() < end && fast.ws.readyState === WebSocket.OPEN) {
        if (fast.ws.bufferedAmount < 1 << 20) fast.ws.send(offer);
        peak = Math.max(peak, s.rssMb());
        await new Promise((r) => setTimeout(r, 1));
      }
    } finally {
      clearInterval(trickle);
    }
    expect(peak - base, `RSS ${base.toFixed(0)} -> ${peak.toFixed(0)} MB`).toBeLessThan(RSS_BUDGET_MB);
    // The mechanism, not just this run's numbers: the sender was held back, or the reader closed.
    const heldBack = s.lines.some((l) => /"event":"backpressure"/.test(l) && /"peer":"fast"/.test(l) && /"waitsFor":"slow"/.test(l));
    const readerClosed = s.lines.some((l) => /"event":"send-budget-exceeded"/.test(l) && /"peer":"slow"/.test(l));
    expect(heldBack || readerClosed, 'no backpressure on the sender and no close of the slow reader').toBe(true);
    await expectHealthy(s);
  });
});

describe('services hardening: finding 3 (a dead peer holds its slot)', () => {
  it('a silent dead peer is detected within a few seconds, messages to it queue, and it rejoins within 10 s', async () => {
    const s = await start();
    const cam = track(await signalingClient(s.port, 'a', 'cam', s.token('a', 'cam')));
    const view = track(await signalingClient(s.port, 'a', 'view', s.token('a', 'view')));
    expect((await cam.next('peer-joined')).peer).toBe('view');
    const died = Date.now();
    view.ws.pause(); // silent: reads nothing, answers no ping, sends no FIN
    expect((await cam.next('peer-left', 9000)).peer).toBe('view');
    expect(Date.now() - died).toBeLessThan(9000);
    cam.send({ type: 'offer', to: 'view', sdp: 'v=0 while you were away' });
    const again = track(await signalingClient(s.port, 'a', 'view', s.token('a', 'view')));
    expect(Date.now() - died).toBeLessThan(10_000);
    expect(await again.next('offer')).toMatchObject({ from: 'cam', sdp: 'v=0 while you were away' });
    await expectHealthy(s);
  });

  it('a rejoin with a valid token replaces a stale connection of the same peer at once', async () => {
    const s = await start();
    const cam = track(await signalingClient(s.port, 'a', 'cam', s.token('a', 'cam')));
    const stale = track(await signalingClient(s.port, 'a', 'view', s.token('a', 'view')));
    stale.ws.pause();
    const t0 = Date.now();
    const fresh = track(await signalingClient(s.port, 'a', 'view', s.token('a', 'view')));
    expect(Date.now() - t0).toBeLessThan(1000);
    fresh.send({ type: 'offer', to: 'cam', sdp: 'v=0 from the new connection' });
    expect((await cam.next('offer')).sdp).toBe('v=0 from the new connection');
    cam.send({ type: 'answer', to: 'view', sdp: 'v=0 to the new connection' });
    expect((await fresh.next('answer')).sdp).toBe('v=0 to the new connection');
    stale.ws.resume();
    expect((await stale.closed).code).toBe(4001);
    await expectHealthy(s);
  });

  it('a clean close followed by an immediate reconnect is accepted, ten times in a row', async () => {
    const s = await start();
    for (let i = 0; i < 10; i++) {
      const c = await signalingClient(s.port, 'a', 'view', s.token('a', 'view'));
      c.ws.close();
      const again = await signalingClient(s.port, 'a', 'view', s.token('a', 'view'));
      again.ws.close();
      await again.closed;
    }
    await expectHealthy(s);
  });
});

describe('services hardening: finding 4 (lock-out by file descriptors)', () => {
  it('thousands of idle connections on a 1024-fd process: /health and a legitimate pair still work', async () => {
    const s = await start({ nofile: 1024 });
    for (let batch = 0; batch < 15; batch++) {
      const opened = await Promise.all(Array.from({ length: 200 }, () => rawSocket(s.port)));
      extraSockets.push(...opened);
    }
    expect(extraSockets.length).toBe(3000);
    await expectHealthy(s);
    expect(s.exited).toBeNull();
  });

  it('rejected upgrades whose client never closes, and idle sockets, are timed out', async () => {
    const s = await start();
    const before = s.openFds();
    for (let i = 0; i < 200; i++) {
      const { socket, status } = await rawUpgrade(s.port, `/signaling?room=a&peer=cam&token=${i}`);
      expect(status).toMatch(/^HTTP\/1\.1 4\d\d /);
      socket.allowHalfOpen = true; // reads the rejection, never closes its side
      extraSockets.push(socket);
    }
    for (let i = 0; i < 100; i++) extraSockets.push(await rawSocket(s.port)); // never sends a byte
    expect(s.openFds()).toBeGreaterThan(before + 100);
    await until('the server closes rejected and idle sockets', 15_000, () => s.openFds() < before + 10);
    await expectHealthy(s);
  });

  it('slowloris: headers sent one byte at a time are cut off within seconds', async () => {
    const s = await start();
    const slow = await Promise.all(Array.from({ length: 100 }, () => rawSocket(s.port)));
    extraSockets.push(...slow);
    const closed = new Set<Socket>();
    for (const c of slow) c.once('close', () => closed.add(c));
    const request = 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: ' + 'a'.repeat(200);
    let i = 0;
    const drip = setInterval(() => {
      for (const c of slow) if (!c.destroyed) c.write(request[i % request.length]);
      i++;
    }, 300);
    try {
      expect((await httpRequest(s.port, 'GET', '/health')).status).toBe(200);
      await until('slowloris sockets closed by the server', 16_000, () => closed.size === slow.length);
    } finally {
      clearInterval(drip);
    }
    await expectHealthy(s);
  });
});

describe('services hardening: finding 5 (methods, headers, enumeration, logs, queues)', () => {
  it('ICE config: GET only (405 with Allow), a Bearer token only, an Upgrade header is not routed to signaling', async () => {
    const s = await start();
    const token = s.token('legit', 'view');
    const path = '/ice-config?room=legit&peer=view';
    expect((await httpRequest(s.port, 'GET', path, { authorization: `Bearer ${token}` })).status).toBe(200);
    for (const method of ['TRACE', 'DELETE', 'POST', 'PUT', 'PATCH', 'OPTIONS']) {
      const r = await httpRequest(s.port, method, path, { authorization: `Bearer ${token}` });
      expect(r.status, method).toBe(405);
      expect(r.headers.allow).toMatch(/GET/);
    }
    expect((await httpRequest(s.port, 'GET', path, { authorization: token })).status).toBe(401);
    const upgraded = await httpRequest(s.port, 'GET', path, { authorization: `Bearer ${token}`, upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-key': randomBytes(16).toString('base64'), 'sec-websocket-version': '13' });
    expect(upgraded.status).toBe(200);
    expect(JSON.parse(upgraded.body).IceServerList).toHaveLength(1);
    await expectHealthy(s);
  });

  it('one generic rejection for unknown room, unknown peer, forged, expired and cross-room tokens', async () => {
    const s = await start();
    const attempts: [string, string, string][] = [
      ['zz', 'cam', s.token('zz', 'cam')],
      ['a', 'stranger', s.token('a', 'stranger')],
      ['a', 'cam', signJoinToken('forged-secret', 'a', 'cam', 60)],
      ['a', 'cam', s.token('a', 'cam', -10)],
      ['a', 'cam', s.token('b', 'cam')],
      ['a', 'cam', s.token('a', 'view')],
      ['a', 'cam', 'not-a-token'],
      ['a', 'cam', ''],
    ];
    const signaling = await Promise.all(attempts.map(([room, peer, token]) => rawUpgrade(s.port, `/signaling?room=${room}&peer=${peer}&token=${encodeURIComponent(token)}`)));
    for (const r of signaling) extraSockets.push(r.socket);
    expect(new Set(signaling.map((r) => r.status))).toEqual(new Set(['HTTP/1.1 401 Unauthorized']));
    const ice = await Promise.all(attempts.map(([room, peer, token]) => httpRequest(s.port, 'GET', `/ice-config?room=${room}&peer=${peer}`, { authorization: `Bearer ${token}` })));
    expect(new Set(ice.map((r) => `${r.status} ${r.body}`)).size).toBe(1);
    expect(ice[0].status).toBe(401);
    await expectHealthy(s);
  });

  it('fuzz: malformed, oversized, deeply nested, binary and invalid UTF-8 frames get an error or a clear close', async () => {
    const s = await start();
    const rogue = track(await signalingClient(s.port, 'b', 'rogue', s.token('b', 'rogue')));
    const bad: (string | Buffer)[] = [
      '{not json',
      '',
      'null',
      '[]',
      '"offer"',
      'x'.repeat(70_000),
      '['.repeat(30_000) + ']'.repeat(30_000),
      '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000),
      JSON.stringify({ type: 'offer', to: 5, sdp: 'x' }),
      JSON.stringify({ type: 'offer', to: '../../etc/passwd', sdp: 'x' }),
      JSON.stringify({ type: 'offer', to: 'cam', sdp: 'x', ['k'.repeat(50_000)]: 1 }),
      JSON.stringify({ type: 'candidate', to: 'cam', candidate: { candidate: 'c', sdpMLineIndex: -1 } }),
      '{"type":"offer","to":"cam","sdp":"x","__proto__":{"polluted":true}}',
      JSON.stringify({ type: 'welcome', room: 'a', peer: 'cam', peers: [] }),
      JSON.stringify({ type: 'offer', to: 'view', sdp: 'x' }), // a peer of another room
    ];
    // Seeded mutations of a valid message: bytes flipped, cut, duplicated.
    let seed = 13;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const valid = JSON.stringify({ type: 'candidate', to: 'nobody', candidate: { candidate: 'candidate:1 1 udp 1 10.0.0.1 9 typ host', sdpMid: '0' } });
    for (let i = 0; i < 150; i++) {
      const chars = [...valid];
      for (let k = 0; k < 1 + rand(4); k++) chars.splice(rand(chars.length), rand(3), String.fromCharCode(32 + rand(95)));
      bad.push(chars.join(''));
    }
    for (const m of bad) rogue.ws.send(m);
    rogue.ws.send(Buffer.from([1, 2, 3, 0xff]), { binary: true });
    let replies = 0;
    for (let i = 0; i < bad.length + 1; i++) {
      await rogue.next('error');
      replies++;
    }
    expect(replies).toBe(bad.length + 1);
    expect(s.lines.every((l) => l.length <= 2048), 'every log line is truncated').toBe(true);
    // Invalid UTF-8 in a text frame, and a frame over the payload limit: a clear close each.
    rogue.ws.send(Buffer.from([0x7b, 0xc3, 0x28, 0x7d]), { binary: false });
    expect((await rogue.closed).code).toBe(1007);
    const big = track(await signalingClient(s.port, 'b', 'rogue', s.token('b', 'rogue')));
    big.ws.send('z'.repeat(2 * 1024 * 1024));
    expect((await big.closed).code).toBe(1009);
    await expectHealthy(s);
  });

  it('queues for absent peers are bounded: the sender is told, memory stays flat', async () => {
    const s = await start();
    const base = s.rssMb();
    const cam = track(await signalingClient(s.port, 'b', 'cam', s.token('b', 'cam')));
    const sdp = 'q'.repeat(60_000);
    for (let i = 0; i < 600; i++) cam.send({ type: 'offer', to: 'sink', sdp });
    const full = await cam.next('error', 10_000);
    expect(full.code).toBe('queue-full');
    expect(s.rssMb() - base).toBeLessThan(RSS_BUDGET_MB);
    const sink = track(await signalingClient(s.port, 'b', 'sink', s.token('b', 'sink')));
    await sink.next('offer');
    await expectHealthy(s);
  });
});

describe('services hardening: load', () => {
  it(`${ROOMS.crowd.length} peers join one room, a message flood is relayed without loss, a legitimate pair works throughout`, async () => {
    const s = await start();
    const base = s.rssMb();
    const t0 = performance.now();
    const crowd = await Promise.all(ROOMS.crowd.map((p) => signalingClient(s.port, 'crowd', p, s.token('crowd', p))));
    crowd.forEach(track);
    const joinMs = performance.now() - t0;
    expect(joinMs).toBeLessThan(15_000);
    const fast = track(await signalingClient(s.port, 'b', 'fast', s.token('b', 'fast')));
    const sink = track(await signalingClient(s.port, 'b', 'sink', s.token('b', 'sink')));
    let received = 0;
    sink.ws.on('message', (d) => d.toString().startsWith('{"type":"candidate"') && received++);
    const total = 15_000;
    const during = offerAnswer(s, 'legit', 'view', 'cam', 8000);
    for (let sent = 0; sent < total; sent += 50) {
      for (let k = 0; k < 50; k++) fast.send({ type: 'candidate', to: 'sink', candidate: { candidate: `candidate:${sent + k} 1 udp 1 10.0.0.1 9 typ host` } });
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(await during).toBeLessThan(8000);
    await until(`all ${total} flood messages relayed (got ${received})`, 10_000, () => received >= total);
    expect(s.rssMb() - base).toBeLessThan(RSS_BUDGET_MB);
    await expectHealthy(s);
  });
});
