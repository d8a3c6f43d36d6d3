/**
 * A runtime patch to werift's ICE agent (its exported `Connection` class): stop waiting for the
 * server-reflexive candidate once the network has shown that UDP to the server is blocked.
 *
 * Why: werift's gathering (`gatherCandidates`) ends when every candidate promise has settled, and
 * each STUN query races a `stunGatherTimeout` timer (the lab sets 0.5 s). Behind a firewall that
 * drops UDP, every peer waits that long for an answer that never comes, and the camera, which
 * answers only after gathering (pi-camera.ts), answers that much later: ~0.55 s of a firewalled
 * cell's ~1 s setup (docs/benchmarks.md).
 *
 * The evidence, all of it needed: this agent's TURN allocation over TCP or TLS is done (a TCP
 * handshake, a TLS one, two Allocate round trips with the same server: at least 3 round trips),
 * while its Binding request to the STUN server on that host went out three times (werift sends
 * at 0, 50 and 150 ms) and none was answered within 50 ms of the third. Only then do the pending
 * STUN promises settle, empty. Never with TURN over UDP (an answered UDP allocation proves UDP
 * works), without TURN, with a STUN server on another host, or once any STUN query was answered.
 *
 * Why that grace is safe on a network that passes UDP: the answer to send k (sent at t_k) comes at
 * t_k + RTT, and the cut happens at T >= max(t_2 + 50 ms, TURN done >= 3-4 RTT). One lost request
 * (answer at 50 ms + RTT) is never cut: T >= 200 ms covers RTT < 150 ms, the 3-4 RTT of the
 * allocation covers the rest. Two lost (answer at 150 ms + RTT): covered for RTT < 50 ms by the
 * grace and for RTT >= 50 ms by TURN/TLS's 4 round trips. Loss on the link also hits the TCP
 * path, whose first retransmission waits >= 200 ms (1 s for a SYN), which only delays the cut.
 * werift alone cuts at 0.5 s, after four lost requests (or any RTT above 150 ms).
 *
 * A late answer after the cut goes where werift's own timeout sends it: werift keeps the
 * transaction and appends the candidate late (the lab trickles it; a remote werift that already
 * has `a=end-of-candidates`, as from the camera's answer, ignores it). The patch reports it.
 *
 * It relies on werift internals, so it refuses any werift version it was not checked against and a
 * Connection without the members it uses: an upgrade fails at peer start, with this file's name.
 */
import { Connection } from 'werift';
import { assertCheckedWerift, installedWeriftVersion } from './werift-version.js';

/** werift versions whose gathering (Connection.gatherCandidates, getCandidatePromises in lib/index.mjs) was read for this patch. */
export const CHECKED_WERIFT_VERSIONS = ['0.25.2'];

/** Sends of the Binding request that must go unanswered: the first and werift's retransmissions at 50 and 150 ms. */
export const STUN_SENDS_BEFORE_CUT = 3;
/** How long the last of them may take to be answered before the cut. */
export const LAST_SEND_GRACE_MS = 50;

/** One server-reflexive query of a gathering: when werift sent it, and whether it settled. */
export interface SrflxQuery {
  sentAt: number[];
  settled: boolean;
  answered: boolean;
}

/** What one gathering has seen so far. */
export interface GatheringEvidence {
  /** When the TURN allocation over TCP or TLS gave its relay candidate. */
  relayAt?: number;
  queries: SrflxQuery[];
  /** STUN promises of werift's gathering still pending. */
  pendingStunPromises: number;
}

/**
 * Whether the gathering may stop waiting for its server-reflexive candidates at `now`: the relay
 * over TCP/TLS is there, no query was answered, and every pending STUN promise has its query
 * unanswered after STUN_SENDS_BEFORE_CUT sends, the last one LAST_SEND_GRACE_MS ago. Pure.
 */
export function mayStopWaiting(e: GatheringEvidence, now: number): boolean {
  if (e.relayAt === undefined || e.pendingStunPromises === 0) return false;
  if (e.queries.some((q) => q.answered)) return false;
  const pending = e.queries.filter((q) => !q.settled);
  if (pending.length !== e.pendingStunPromises) return false;
  return pending.every((q) => q.sentAt.length >= STUN_SENDS_BEFORE_CUT && now - q.sentAt[STUN_SENDS_BEFORE_CUT - 1] >= LAST_SEND_GRACE_MS);
}

/** The moment `mayStopWaiting` can next become true by time alone, or undefined. Pure. */
export function nextDeadline(e: GatheringEvidence): number | undefined {
  const due = e.queries.filter((q) => !q.settled && q.sentAt.length >= STUN_SENDS_BEFORE_CUT).map((q) => q.sentAt[STUN_SENDS_BEFORE_CUT - 1] + LAST_SEND_GRACE_MS);
  return due.length ? Math.max(...due) : undefined;
}

export interface StunWaitCut {
  /** From the gathering's start to the cut. */
  waitedMs: number;
  /** Binding requests sent to the STUN server per pending query at the cut. */
  stunSends: number[];
  turnTransport: 'tcp' | 'tls';
}

export type CutListener = (connection: Connection, cut: StunWaitCut) => void;
export type LateAnswerListener = (connection: Connection, afterCutMs: number) => void;
const cutListeners = new Set<CutListener>();
const lateListeners = new Set<LateAnswerListener>();

/** Calls `listener` each time a connection of this process stops waiting for its srflx candidates; returns the unsubscribe. */
export function onStunWaitCut(listener: CutListener): () => void {
  cutListeners.add(listener);
  return () => void cutListeners.delete(listener);
}

/** Calls `listener` when a STUN answer arrives after such a cut (a false cut: it shows in the run); returns the unsubscribe. */
export function onLateStunAnswer(listener: LateAnswerListener): () => void {
  lateListeners.add(listener);
  return () => void lateListeners.delete(listener);
}

type Address = [string, number];
type CandidateLike = { type?: string } | undefined;

/** The members of werift's StunProtocol the patch wraps. */
interface ProtocolInternals {
  request: (request: unknown, addr: Address, integrityKey?: unknown, retransmissions?: unknown, onRequestSent?: (attempt: number) => void) => Promise<unknown>;
}

/** The members of werift's Connection the patch reads or wraps (private in its types). */
interface ConnectionInternals {
  stunServer?: Address;
  turnServer?: Address;
  iceLite?: boolean;
  options: { turnTransport?: string; turnUsername?: string; turnPassword?: string; forceTurn?: boolean; useTcp?: boolean };
  getCandidatePromises(addresses: string[], timeout?: number): Promise<CandidateLike>[];
  ensureProtocol(protocol: ProtocolInternals): void;
  gatherCandidates(): Promise<void>;
  [WATCHING]?: ((protocol: ProtocolInternals) => void) | undefined;
}

const PATCHED = Symbol.for('webrtc-lab.werift-stun-wait');
const WATCHING = Symbol.for('webrtc-lab.werift-stun-wait.watching');

/**
 * Where werift 0.25.2's getCandidatePromises puts the STUN promises: host UDP (n), host TCP (n,
 * with useTcp), STUN (n), TURN (1, last). Null when the patch does not apply or the count does
 * not fit that layout (then werift is left alone). Pure.
 */
export function stunPromiseRange(count: number, c: { useTcp: boolean }): { start: number; end: number } | null {
  const perAddress = c.useTcp ? 3 : 2;
  if (count < 1 || (count - 1) % perAddress !== 0) return null;
  const n = (count - 1) / perAddress;
  return n === 0 ? null : { start: count - 1 - n, end: count - 1 };
}

function streamTurnTransport(c: ConnectionInternals): 'tcp' | 'tls' | null {
  const t = c.options.turnTransport;
  if (t !== 'tcp' && t !== 'tls') return null;
  if (c.iceLite || c.options.forceTurn || !c.stunServer || !c.turnServer || !c.options.turnUsername || !c.options.turnPassword) return null;
  return c.stunServer[0] === c.turnServer[0] ? t : null;
}

/**
 * Installs the patch on werift's Connection prototype, once per process; throws, naming what to
 * re-check, when werift is not a version it was checked against or lacks a member it uses.
 */
export function installWeriftStunWait(version = installedWeriftVersion()): void {
  const hint = 'read werift\'s Connection.gatherCandidates and getCandidatePromises (node_modules/werift/lib/index.mjs) again, adapt peers/lib/werift-stun-wait.ts or drop it if werift now ends the wait itself, and add the version to CHECKED_WERIFT_VERSIONS';
  assertCheckedWerift('peers/lib/werift-stun-wait.ts', CHECKED_WERIFT_VERSIONS, version, hint);
  const proto = Connection.prototype as unknown as ConnectionInternals & { [PATCHED]?: true };
  if (proto[PATCHED]) return;
  for (const m of ['getCandidatePromises', 'ensureProtocol', 'gatherCandidates'] as const) {
    if (typeof proto[m] !== 'function') throw new Error(`peers/lib/werift-stun-wait.ts: werift ${version}'s Connection has no ${m}: ${hint}`);
  }
  const ensureProtocol = proto.ensureProtocol;
  proto.ensureProtocol = function (this: ConnectionInternals, protocol) {
    this[WATCHING]?.(protocol);
    return ensureProtocol.call(this, protocol);
  };
  const getCandidatePromises = proto.getCandidatePromises;
  proto.getCandidatePromises = function (this: ConnectionInternals, addresses, timeout) {
    const turnTransport = streamTurnTransport(this);
    if (!turnTransport) return getCandidatePromises.call(this, addresses, timeout);
    const stunServer = this.stunServer!;
    const evidence: GatheringEvidence = { queries: [], pendingStunPromises: 0 };
    const start = performance.now();
    let cutAt: number | undefined;
    let gathered = false;
    let cut!: () => void;
    const cutPromise = new Promise<undefined>((resolve) => (cut = () => resolve(undefined)));
    let timer: NodeJS.Timeout | undefined;
    const connection = this as unknown as Connection;
    // Decide in setImmediate, after the poll phase: a STUN answer already in the socket's buffer
    // when a timer fires (a busy event loop) is read before the decision, not after.
    const consider = () =>
      setImmediate(() => {
        if (cutAt !== undefined) return;
        const now = performance.now();
        if (mayStopWaiting(evidence, now)) {
          cutAt = now;
          clearTimeout(timer);
          const stunSends = evidence.queries.filter((q) => !q.settled).map((q) => q.sentAt.length);
          cut();
          for (const l of cutListeners) l(connection, { waitedMs: Math.round(now - start), stunSends, turnTransport });
          return;
        }
        const due = evidence.relayAt === undefined ? undefined : nextDeadline(evidence);
        if (due !== undefined && due > now) {
          clearTimeout(timer);
          timer = setTimeout(consider, due - now);
        }
      });
    // The host UDP protocols are created (and given to ensureProtocol) synchronously inside
    // getCandidatePromises; the TURN protocol comes later and is not watched.
    this[WATCHING] = (protocol) => {
      const request = protocol.request;
      if (typeof request !== 'function') return;
      protocol.request = function (this: unknown, ...args) {
        const [, addr, , retransmissions, onRequestSent] = args;
        // serverReflexiveCandidate's call: (request, this.stunServer), nothing else. Requests after
        // this gathering (a restart's own srflx query) are not its evidence.
        if (addr !== stunServer || args.length > 2 || gathered) return request.apply(this, args);
        const query: SrflxQuery = { sentAt: [], settled: false, answered: false };
        evidence.queries.push(query);
        const sent = (attempt: number) => {
          query.sentAt.push(performance.now());
          onRequestSent?.(attempt);
          consider();
        };
        const answer = request.call(this, args[0], addr, undefined, retransmissions, sent);
        answer.then(
          () => {
            query.answered = true;
            if (cutAt !== undefined) for (const l of lateListeners) l(connection, Math.round(performance.now() - cutAt));
          },
          () => {},
        ).finally(() => {
          query.settled = true;
          consider();
        });
        return answer;
      };
    };
    let promises: Promise<CandidateLike>[];
    try {
      promises = getCandidatePromises.call(this, addresses, timeout);
    } finally {
      this[WATCHING] = undefined;
    }
    const range = stunPromiseRange(promises.length, { useTcp: !!this.options.useTcp });
    if (!range) {
      gathered = true;
      return promises;
    }
    const turn = promises[promises.length - 1];
    void turn.then((c) => {
      if (c?.type !== 'relay') return;
      evidence.relayAt = performance.now();
      consider();
    });
    const raced = promises.map((p, i) => {
      if (i < range.start || i >= range.end) return p;
      evidence.pendingStunPromises++;
      void p.finally(() => {
        evidence.pendingStunPromises--;
        consider();
      });
      return Promise.race([p, cutPromise]);
    });
    void Promise.allSettled(raced).then(() => (gathered = true, clearTimeout(timer)));
    return raced;
  };
  proto[PATCHED] = true;
}
