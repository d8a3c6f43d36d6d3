// werift's real ICE agent (Connection) gathering against a real coturn (TURN over TCP or UDP on
// 127.0.0.1) and a UDP STUN server on the same host that drops the first N Binding requests
// (N = Infinity: a firewall that drops UDP).
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { Connection, Message, classes, methods, parseMessage } from 'werift';
import {
  CHECKED_WERIFT_VERSIONS,
  LAST_SEND_GRACE_MS,
  STUN_SENDS_BEFORE_CUT,
  installWeriftStunWait,
  mayStopWaiting,
  onLateStunAnswer,
  onStunWaitCut,
  stunPromiseRange,
  type StunWaitCut,
} from './werift-stun-wait.js';
import { HOST, USER, useLoopbackCoturn } from './testing/loopback-coturn.js';

installWeriftStunWait();

/** A STUN server on UDP that drops the first `drop` Binding requests and answers the rest. */
async function stunServer(drop: number): Promise<{ port: number; socket: Socket; received: number[] }> {
  const socket = createSocket('udp4');
  const received: number[] = [];
  const t0 = performance.now();
  socket.on('message', (data, rinfo) => {
    received.push(Math.round(performance.now() - t0));
    if (received.length <= drop) return;
    const request = parseMessage(data);
    if (!request) return;
    const response = new Message(methods.BINDING, classes.RESPONSE, request.transactionId);
    response.setAttribute('XOR-MAPPED-ADDRESS', [rinfo.address, rinfo.port]).addFingerprint();
    socket.send(response.bytes, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => socket.bind(0, HOST, r));
  return { port: socket.address().port, socket, received };
}

const coturnPort = useLoopbackCoturn('stun-wait-');

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

/** One werift agent gathering; what it gathered, how long it took, whether the patch cut. */
async function gather(o: { drop: number; turnTransport: 'tcp' | 'udp'; turn?: boolean }) {
  const stun = await stunServer(o.drop);
  cleanup.push(() => stun.socket.close());
  const conn = new Connection(true, {
    stunServer: [HOST, stun.port],
    ...(o.turn === false ? {} : { turnServer: [HOST, coturnPort()], turnUsername: USER.username, turnPassword: USER.password, turnTransport: o.turnTransport }),
    stunGatherTimeout: 0.5,
    useIpv6: false,
  } as never);
  cleanup.push(() => conn.close());
  const cuts: StunWaitCut[] = [];
  const late: number[] = [];
  cleanup.push(onStunWaitCut((c, cut) => c === conn && cuts.push(cut)));
  cleanup.push(onLateStunAnswer((c, ms) => c === conn && late.push(ms)));
  const t0 = performance.now();
  await conn.gatherCandidates();
  const ms = performance.now() - t0;
  return { conn, ms, cuts, late, stun, types: () => conn.localCandidates.map((c) => c.type) };
}

describe('werift gathering with TURN over TCP and a STUN server whose UDP answers never come (firewall)', () => {
  it('ends once the relay is there and three Binding requests went unanswered, without the srflx', async () => {
    const g = await gather({ drop: Infinity, turnTransport: 'tcp' });
    expect(g.types()).toContain('relay');
    expect(g.types()).not.toContain('srflx');
    expect(g.cuts).toHaveLength(1);
    expect(g.cuts[0]).toMatchObject({ turnTransport: 'tcp', stunSends: [STUN_SENDS_BEFORE_CUT] });
    expect(g.stun.received.length).toBe(STUN_SENDS_BEFORE_CUT);
    // Not before werift's third send (150 ms) plus the grace; well before its own 500 ms timeout.
    expect(g.ms).toBeGreaterThanOrEqual(150 + LAST_SEND_GRACE_MS - 5);
    expect(g.ms).toBeLessThan(400);
  });
});

describe('no cut where UDP works', () => {
  it('the STUN server answers at once: srflx gathered, no cut', async () => {
    const g = await gather({ drop: 0, turnTransport: 'tcp' });
    expect(g.types()).toEqual(expect.arrayContaining(['host', 'srflx', 'relay']));
    expect(g.cuts).toHaveLength(0);
  });

  it('the first two Binding requests lost (answer to the retransmission at 150 ms): srflx gathered, no cut', async () => {
    const g = await gather({ drop: 2, turnTransport: 'tcp' });
    expect(g.types()).toEqual(expect.arrayContaining(['host', 'srflx', 'relay']));
    expect(g.cuts).toHaveLength(0);
    expect(g.late).toHaveLength(0);
  });

  it('TURN over UDP answered while STUN is dropped: no cut (an answered UDP allocation means UDP works)', async () => {
    const g = await gather({ drop: Infinity, turnTransport: 'udp' });
    expect(g.types()).toContain('relay');
    expect(g.cuts).toHaveLength(0);
    expect(g.ms).toBeGreaterThanOrEqual(495); // werift's own 0.5 s: what the patch saves behind a firewall
  });

  it('no TURN at all: no cut, werift waits its timeout', async () => {
    const g = await gather({ drop: Infinity, turnTransport: 'tcp', turn: false });
    expect(g.cuts).toHaveLength(0);
    expect(g.ms).toBeGreaterThanOrEqual(495);
  });
});

describe('a false cut shows: the answer to the fourth request (350 ms) comes after the cut', () => {
  it('werift appends the srflx late and the patch reports it', async () => {
    const g = await gather({ drop: 3, turnTransport: 'tcp' });
    expect(g.cuts).toHaveLength(1);
    expect(g.types()).not.toContain('srflx');
    await new Promise((r) => setTimeout(r, 300));
    expect(g.types()).toContain('srflx');
    expect(g.late).toHaveLength(1);
  });
});

describe('the rule, pure', () => {
  const q = (sentAt: number[], settled = false, answered = false) => ({ sentAt, settled, answered });
  it('needs the relay, three unanswered sends and the grace after the third', () => {
    const relayAt = 40;
    expect(mayStopWaiting({ relayAt, queries: [q([0, 50, 150])], pendingStunPromises: 1 }, 200)).toBe(true);
    expect(mayStopWaiting({ relayAt, queries: [q([0, 50, 150])], pendingStunPromises: 1 }, 199)).toBe(false);
    expect(mayStopWaiting({ relayAt, queries: [q([0, 50])], pendingStunPromises: 1 }, 400)).toBe(false);
    expect(mayStopWaiting({ queries: [q([0, 50, 150])], pendingStunPromises: 1 }, 400)).toBe(false);
    expect(mayStopWaiting({ relayAt, queries: [q([0, 50, 150]), q([0], true, true)], pendingStunPromises: 1 }, 400)).toBe(false);
    // A pending STUN promise whose query has not started (its host socket still binding): wait.
    expect(mayStopWaiting({ relayAt, queries: [q([0, 50, 150])], pendingStunPromises: 2 }, 400)).toBe(false);
  });
  it('finds werift 0.25.2\'s STUN promises: n host, (n TCP), n STUN, 1 TURN', () => {
    expect(stunPromiseRange(3, { useTcp: false })).toEqual({ start: 1, end: 2 });
    expect(stunPromiseRange(7, { useTcp: true })).toEqual({ start: 4, end: 6 });
    expect(stunPromiseRange(1, { useTcp: false })).toBeNull();
    expect(stunPromiseRange(4, { useTcp: false })).toBeNull();
  });
  it('refuses a werift it was not checked against', () => {
    expect(CHECKED_WERIFT_VERSIONS).toEqual(['0.25.2']);
    expect(() => installWeriftStunWait('0.26.0')).toThrow(/werift-stun-wait\.ts: werift 0\.26\.0 is not a version/);
  });
});
