// werift's real ICE agent (Connection) driven through its own STUN request path with fake sockets:
// a controlling peer nominates a relay pair, then the direct one, as Chromium does.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Candidate, CandidatePairState, Connection, Message, classes, methods } from 'werift';
import { CHECKED_WERIFT_VERSIONS, followsNomination, installWeriftRenomination, onPairSwitch, type PairInternals } from './werift-renomination.js';

installWeriftRenomination();

/** A local socket: every check it sends is answered at once; application data is recorded. */
function fakeSocket(local: string) {
  const sent: { data: Buffer; to: [string, number] }[] = [];
  return {
    sent,
    protocol: {
      type: 'stun',
      localCandidate: Candidate.fromSdp(local),
      request: vi.fn(async (_req: Message, addr: [string, number]) => [new Message(methods.BINDING, classes.RESPONSE), addr]),
      sendData: vi.fn(async (data: Buffer, to: [string, number]) => void sent.push({ data, to })),
      sendStun: vi.fn(async () => {}),
    },
  };
}

/** A binding request from the controlling peer, as checkIncoming receives it. */
function check(conn: Connection, useCandidate: boolean): Message {
  const m = new Message(methods.BINDING, classes.REQUEST);
  m.setAttribute('USERNAME', `${conn.localUsername}:remote`).setAttribute('PRIORITY', 1_000).setAttribute('ICE-CONTROLLING', 1n);
  if (useCandidate) m.setAttribute('USE-CANDIDATE', null);
  return m;
}

interface Internals {
  nominated?: { remoteAddr: [string, number]; remoteCandidate: Candidate };
  checkIncoming(m: Message, addr: [string, number], protocol: unknown): void;
  checkStart(pair: unknown): { awaitable: Promise<void> };
}

const relay = Candidate.fromSdp('candidate:2 1 udp 16777215 203.0.113.3 49449 typ relay raddr 203.0.113.4 rport 38000');
const srflx = Candidate.fromSdp('candidate:3 1 udp 1694498815 203.0.113.4 38646 typ srflx raddr 192.168.1.2 rport 50000');

async function until(ok: () => boolean) {
  for (const t0 = Date.now(); !ok(); await new Promise((r) => setImmediate(r))) if (Date.now() - t0 > 2000) throw new Error('condition not reached within 2 s');
}

let open: Connection[] = [];
afterEach(async () => {
  await Promise.all(open.map((c) => c.close()));
  open = [];
});

function controlled(): { conn: Connection; internals: Internals; socket: ReturnType<typeof fakeSocket> } {
  const conn = new Connection(false, {});
  open.push(conn);
  conn.setRemoteParams({ iceLite: false, usernameFragment: 'remote', password: 'remotepassword0000000000' });
  const socket = fakeSocket('candidate:1 1 udp 2130706431 192.168.2.2 43880 typ host');
  for (const c of [relay, srflx]) conn.addRemoteCandidate(c);
  return { conn, internals: conn as unknown as Internals, socket };
}

describe('werift as the controlled agent, nominated twice (Chromium: relay first, then direct)', () => {
  it('switches to the later, higher-priority nominated pair, and application data follows it', async () => {
    const { conn, internals, socket } = controlled();
    const switches: string[] = [];
    const unwatch = onPairSwitch((c, from, to) => void switches.push(`${c === conn} ${from.remoteCandidate.type} -> ${to.remoteCandidate.type}`));
    internals.checkIncoming(check(conn, true), [relay.host, relay.port], socket.protocol);
    await until(() => internals.nominated !== undefined);
    expect(internals.nominated!.remoteCandidate.type).toBe('relay');
    conn.state = 'connected';

    internals.checkIncoming(check(conn, true), [srflx.host, srflx.port], socket.protocol);
    await until(() => internals.nominated?.remoteCandidate.type === 'srflx');
    // DTLS and SRTP go out through Connection.send: on the direct pair now, with consent (RFC 7675) running.
    await conn.send(Buffer.from('dtls'));
    expect(socket.sent.map((s) => s.to)).toEqual([[srflx.host, srflx.port]]);
    expect((conn as unknown as { canSendApplicationData(): boolean }).canSendApplicationData()).toBe(true);
    expect(switches).toEqual(['true relay -> srflx']);
    unwatch();
  });

  it('does not switch on a check without USE-CANDIDATE', async () => {
    const { conn, internals, socket } = controlled();
    internals.checkIncoming(check(conn, true), [relay.host, relay.port], socket.protocol);
    await until(() => internals.nominated !== undefined);
    internals.checkIncoming(check(conn, false), [srflx.host, srflx.port], socket.protocol);
    await until(() => socket.protocol.request.mock.calls.length === 2);
    await new Promise((r) => setImmediate(r));
    expect(internals.nominated!.remoteCandidate.type).toBe('relay');
  });

  it('keeps the higher-priority pair when a lower-priority one is nominated later', async () => {
    const { conn, internals, socket } = controlled();
    internals.checkIncoming(check(conn, true), [srflx.host, srflx.port], socket.protocol);
    await until(() => internals.nominated !== undefined);
    internals.checkIncoming(check(conn, true), [relay.host, relay.port], socket.protocol);
    await until(() => socket.protocol.request.mock.calls.length === 2);
    await new Promise((r) => setImmediate(r));
    expect(internals.nominated!.remoteCandidate.type).toBe('srflx');
  });
});

describe('werift as the controlling agent (aggressive nomination: every check it makes nominates)', () => {
  it('uses the highest-priority pair whose check succeeded, not the first', async () => {
    const conn = new Connection(true, {});
    open.push(conn);
    conn.setRemoteParams({ iceLite: false, usernameFragment: 'remote', password: 'remotepassword0000000000' });
    const socket = fakeSocket('candidate:1 1 udp 2130706431 192.168.1.2 50000 typ host');
    const internals = conn as unknown as Internals;
    conn.addRemoteCandidate(relay);
    conn.addRemoteCandidate(srflx);
    // Pairs are made from the sockets werift owns; give it ours and pair it with both candidates.
    (conn as unknown as { protocols: unknown[] }).protocols.push(socket.protocol);
    for (const c of [relay, srflx]) (conn as unknown as { pairRemoteCandidate(c: Candidate): void }).pairRemoteCandidate(c);
    const pairs = conn.checkList;
    const byType = (t: string) => pairs.find((p) => p.remoteCandidate.type === t)!;
    await internals.checkStart(byType('relay')).awaitable;
    expect(internals.nominated!.remoteCandidate.type).toBe('relay');
    await internals.checkStart(byType('srflx')).awaitable;
    expect(internals.nominated!.remoteCandidate.type).toBe('srflx');
    (conn as unknown as { protocols: unknown[] }).protocols.length = 0;
  });
});

describe('followsNomination', () => {
  const pair = (priority: number, o: Partial<PairInternals> = {}): PairInternals => ({ state: CandidatePairState.SUCCEEDED, nominated: true, priority, component: 1, remoteCandidate: {}, ...o });
  it('follows only a succeeded, nominated, higher-priority pair of the same component and generation', () => {
    const selected = pair(10);
    expect(followsNomination(selected, pair(20), 0)).toBe(true);
    expect(followsNomination(selected, pair(5), 0)).toBe(false);
    expect(followsNomination(selected, selected, 0)).toBe(false);
    expect(followsNomination(undefined, pair(20), 0)).toBe(false);
    expect(followsNomination(selected, pair(20, { nominated: false }), 0)).toBe(false);
    expect(followsNomination(selected, pair(20, { state: CandidatePairState.IN_PROGRESS }), 0)).toBe(false);
    expect(followsNomination(selected, pair(20, { component: 2 }), 0)).toBe(false);
    expect(followsNomination(selected, pair(20, { remoteCandidate: { generation: 0 } }), 1)).toBe(false);
  });
});

describe('installWeriftRenomination', () => {
  it('refuses a werift version it was not checked against, saying what to re-read', () => {
    expect(CHECKED_WERIFT_VERSIONS).toContain('0.25.2');
    expect(() => installWeriftRenomination('0.26.0')).toThrow(/werift 0\.26\.0 is not a version this patch was checked against \(0\.25\.2\).*checkComplete/);
  });
});
