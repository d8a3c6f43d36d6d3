// Two of werift's real ICE agents (Connection) where only the relay can work, and the controlling
// agent's TURN allocation (a real coturn over TCP on 127.0.0.1) is held back by a TCP proxy until
// that agent has the remote's candidates, its end-of-candidates, and its checks have begun: the
// case werift 0.25.2 never pairs. The first test runs werift alone (it must not connect: the
// reason for the patch), the later ones with the patch installed.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Connection, type Candidate } from 'werift';
import { CHECKED_WERIFT_VERSIONS, installWeriftLateTurn, onLateTurnPaired, type LateTurnPairing } from './werift-late-turn.js';
import { HOST, USER, useLoopbackCoturn } from './testing/loopback-coturn.js';

/** A TCP proxy to coturn that passes the client's bytes at once and holds coturn's until `release()`. */
async function heldProxy(target: number): Promise<{ port: number; release: () => void; close: () => Promise<void> }> {
  let released = false;
  const waiting: (() => void)[] = [];
  const sockets: Socket[] = [];
  const server: Server = createServer((client) => {
    const upstream = createConnection(target, HOST);
    sockets.push(client, upstream);
    client.pipe(upstream);
    const pass = () => upstream.pipe(client);
    if (released) pass();
    else waiting.push(pass);
    const end = () => (client.destroy(), upstream.destroy());
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, HOST, r));
  return {
    port: (server.address() as { port: number }).port,
    release: () => {
      released = true;
      for (const pass of waiting.splice(0)) pass();
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

const coturnPort = useLoopbackCoturn('late-turn-', { allowLoopbackPeers: true });

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

type Internals = { localUsername: string; localPassword: string; localCandidates: Candidate[]; nominated?: { localCandidate: Candidate }; checkList: unknown[] };
const internals = (c: Connection) => c as unknown as Internals;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The viewer (controlling, TURN over TCP through the held proxy) and the camera (controlled, host
 * only). Only the relay path works: the viewer answers no check that reaches a host socket (UDP
 * blocked, as in hotel-wifi), and the camera answers only checks that come from the viewer's relay
 * address, not from its host sockets (werift's own `filterStunResponse` hook drops the request
 * before werift answers it). The viewer gets the camera's candidates and
 * end-of-candidates, starts its checks, and only `releaseAfterMs` later does its allocation end.
 */
async function lateRelaySession(o: { releaseAfterMs: number; endOfCandidates: boolean }) {
  const proxy = await heldProxy(coturnPort());
  cleanup.push(proxy.close);
  // The camera's 127.0.0.1 candidate is the one the relay reaches: a socket bound to 0.0.0.0
  // answers 127.0.0.1 from 127.0.0.1, the address TURN gave the viewer's permission for.
  const camera: Connection = new Connection(false, {
    useIpv6: false,
    additionalHostAddresses: [HOST],
    filterStunResponse: (_msg: unknown, addr: [string, number]) =>
      camera.remoteCandidates.some((c) => c.type === 'relay' && c.host === addr[0] && c.port === addr[1]),
  } as never);
  const viewer = new Connection(true, {
    useIpv6: false,
    turnServer: [HOST, proxy.port],
    turnUsername: USER.username,
    turnPassword: USER.password,
    turnTransport: 'tcp',
    filterStunResponse: (_msg: unknown, _addr: unknown, protocol: { localCandidate?: Candidate }) => protocol.localCandidate?.type === 'relay',
  } as never);
  cleanup.push(() => viewer.close(), () => camera.close());
  const pairings: LateTurnPairing[] = [];
  cleanup.push(onLateTurnPaired((c, p) => c === viewer && pairings.push(p)));

  await camera.gatherCandidates();
  // Trickled to the camera as they come, the relay last; then the viewer's end-of-candidates.
  viewer.onIceCandidate.subscribe((c) => void camera.addRemoteCandidate(c));
  const viewerGathered = viewer.gatherCandidates().then(() => camera.addRemoteCandidate(undefined));
  while (!internals(viewer).localCandidates.some((c) => c.type === 'host')) await sleep(5);

  viewer.setRemoteParams({ iceLite: false, usernameFragment: internals(camera).localUsername, password: internals(camera).localPassword });
  camera.setRemoteParams({ iceLite: false, usernameFragment: internals(viewer).localUsername, password: internals(viewer).localPassword });
  // The camera's answer: all its candidates and a=end-of-candidates.
  for (const c of internals(camera).localCandidates) await viewer.addRemoteCandidate(c);
  if (o.endOfCandidates) await viewer.addRemoteCandidate(undefined);
  const viewerConnected = viewer.connect().then(() => true, () => false);
  void camera.connect().catch(() => {});

  await sleep(o.releaseAfterMs);
  const relayBeforeRelease = internals(viewer).localCandidates.some((c) => c.type === 'relay');
  const pairsBeforeRelease = internals(viewer).checkList.length;
  proxy.release();
  await viewerGathered;
  const connected = await Promise.race([viewerConnected, sleep(4000).then(() => false)]);
  const relayPairs = (internals(viewer).checkList as { localCandidate: Candidate }[]).filter((p) => p.localCandidate.type === 'relay').length;
  return { viewer, camera, connected, pairings, relayBeforeRelease, pairsBeforeRelease, relayPairs };
}

describe('werift 0.25.2 alone: a relay allocated after connect() began is never paired', () => {
  it('does not connect though the relay works (why the patch exists)', async () => {
    const s = await lateRelaySession({ releaseAfterMs: 300, endOfCandidates: true });
    expect(s.relayBeforeRelease).toBe(false);
    expect(s.pairsBeforeRelease).toBeGreaterThan(0);
    expect(internals(s.viewer).localCandidates.some((c) => c.type === 'relay')).toBe(true);
    expect(s.relayPairs).toBe(0);
    expect(s.connected).toBe(false);
    expect(s.pairings).toHaveLength(0);
  }, 15_000);

  it('nor without the end-of-candidates, while its check loop still runs: the loop has nothing to check', async () => {
    const s = await lateRelaySession({ releaseAfterMs: 300, endOfCandidates: false });
    expect(s.relayPairs).toBe(0);
    expect(s.connected).toBe(false);
  }, 15_000);
});

describe('with the patch', () => {
  beforeAll(() => installWeriftLateTurn());

  it('pairs the late relay with the camera\'s candidates, checks the pairs (werift\'s loop has ended) and connects through it', async () => {
    const s = await lateRelaySession({ releaseAfterMs: 300, endOfCandidates: true });
    expect(s.relayBeforeRelease).toBe(false);
    expect(s.connected).toBe(true);
    expect(internals(s.viewer).nominated?.localCandidate.type).toBe('relay');
    expect(s.pairings).toEqual([{ pairs: internals(s.camera).localCandidates.length, endOfCandidates: true }]);
  }, 15_000);

  it('the same while werift\'s check loop still runs (no end-of-candidates yet)', async () => {
    const s = await lateRelaySession({ releaseAfterMs: 300, endOfCandidates: false });
    expect(s.connected).toBe(true);
    expect(internals(s.viewer).nominated?.localCandidate.type).toBe('relay');
    expect(s.pairings).toEqual([{ pairs: internals(s.camera).localCandidates.length, endOfCandidates: false }]);
  }, 15_000);

  it('leaves a relay that is there before connect() to werift (connect pairs it): no event', async () => {
    const proxy = await heldProxy(coturnPort());
    cleanup.push(proxy.close);
    proxy.release();
    const viewer = new Connection(true, { useIpv6: false, turnServer: [HOST, proxy.port], turnUsername: USER.username, turnPassword: USER.password, turnTransport: 'tcp' } as never);
    cleanup.push(() => viewer.close());
    const pairings: LateTurnPairing[] = [];
    cleanup.push(onLateTurnPaired((c, p) => c === viewer && pairings.push(p)));
    await viewer.gatherCandidates();
    expect(internals(viewer).localCandidates.some((c) => c.type === 'relay')).toBe(true);
    expect(pairings).toHaveLength(0);
  }, 15_000);

  it('refuses a werift it was not checked against', () => {
    expect(CHECKED_WERIFT_VERSIONS).toEqual(['0.25.2']);
    expect(() => installWeriftLateTurn('0.26.0')).toThrow(/werift-late-turn\.ts: werift 0\.26\.0 is not a version/);
  });
});
