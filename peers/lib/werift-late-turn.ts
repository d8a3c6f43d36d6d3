/**
 * A runtime patch to werift's ICE agent (its exported `Connection` class): a TURN allocation that
 * completes after the agent's checks began is paired with the remote candidates already known, and
 * those pairs are checked.
 *
 * Why: in werift 0.25.2's `getCandidatePromises` the host branch calls `pairLocalProtocol` once its
 * socket is ready, the TURN branch does not: it only pushes the protocol and appends the relay
 * candidate. `connect()` pairs every known protocol with the remote candidates once, at its start,
 * and later pairs come only from `addRemoteCandidate` (new remote candidates) or from incoming
 * checks. So when this agent's allocation ends after `connect()` started (a firewalled viewer whose
 * TURN/TLS takes longer than the camera's answer, which carries all the camera's candidates), its
 * relay has no pair. Nothing arrives on the relay either: TURN drops the peer's checks until this
 * agent has sent to that peer (CreatePermission). A session that can only relay then never connects
 * (`hotel-wifi` failed that way once in 13 runs, docs/werift-0.25.md).
 *
 * Pairing alone is not enough: `connect()` starts one Waiting pair every 20 ms, and its loop ends
 * once no pair is Waiting or Frozen and the remote's end-of-candidates is in (`schedulingChecks`);
 * a pair added after that is never checked. The patch therefore starts the new pairs' checks itself,
 * highest priority first, one per 20 ms like werift (a pair werift's loop took first is skipped).
 * `connect()` itself is still waiting then: it waits for ICE_COMPLETED while the check list is not
 * empty, and an ICE_FAILED from the pairs that failed before does not end that wait.
 *
 * Only after `connect()` paired (its `earlyChecksDone`: set there, cleared by `restart()`), so a relay
 * that is there before `connect()`, or that a restart re-advertises, is left to werift. Not once a
 * pair is selected: werift drops the Waiting pairs of a component at its nomination (RFC 8445
 * §8.1.2), and a relay pair ranks below the selected one anyway.
 *
 * It relies on werift internals, so it refuses any werift version it was not checked against and a
 * Connection without the members it uses: an upgrade fails at peer start, with this file's name.
 */
import { CandidatePairState, Connection } from 'werift';
import { assertCheckedWerift, installedWeriftVersion } from './werift-version.js';

/** werift versions whose Connection (getCandidatePromises, connect, schedulingChecks, tryPair in lib/index.mjs) was read for this patch. */
export const CHECKED_WERIFT_VERSIONS = ['0.25.2'];

/** werift's pacing of ordinary checks (connect()'s loop waits 20 ms between two). */
export const CHECK_INTERVAL_MS = 20;

export interface LateTurnPairing {
  /** Pairs made with the relay candidate. */
  pairs: number;
  /** Whether the remote's end-of-candidates was in: werift's check loop stops then, and only this patch checks them. */
  endOfCandidates: boolean;
}

export type LateTurnListener = (connection: Connection, pairing: LateTurnPairing) => void;
const listeners = new Set<LateTurnListener>();

/** Calls `listener` each time a connection of this process paired a late relay candidate; returns the unsubscribe. */
export function onLateTurnPaired(listener: LateTurnListener): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

type CandidateLike = { type?: string };

/** The members of werift's CandidatePair the patch reads or sets. */
interface PairInternals {
  state: number;
  handle?: unknown;
}

/** The members of werift's Connection the patch reads or calls (private in its types). */
interface ConnectionInternals {
  state: string;
  generation: number;
  nominated?: PairInternals;
  earlyChecksDone: boolean;
  remoteCandidatesEnd: boolean;
  checkList: PairInternals[];
  protocols: { localCandidate?: CandidateLike }[];
  appendLocalCandidate(candidate: CandidateLike): void;
  pairLocalProtocol(protocol: unknown): void;
  /** An instance field in werift, not on the prototype. */
  checkStart?: (pair: PairInternals) => unknown;
}

const PATCHED = Symbol.for('webrtc-lab.werift-late-turn');

/** Starts the checks of `pairs` still Waiting, one per CHECK_INTERVAL_MS, while this generation has no selected pair. */
function checkPairs(c: ConnectionInternals, pairs: PairInternals[], fail: (member: string) => never): void {
  if (typeof c.checkStart !== 'function') fail('checkStart');
  const { generation } = c;
  const next = () => {
    if (c.state === 'closed' || c.state === 'failed' || c.generation !== generation || c.nominated) return;
    const pair = pairs.find((p) => p.state === CandidatePairState.WAITING && c.checkList.includes(p));
    if (!pair) return;
    pair.handle = c.checkStart!(pair);
    setTimeout(next, CHECK_INTERVAL_MS);
  };
  next();
}

/**
 * Installs the patch on werift's Connection prototype, once per process; throws, naming what to
 * re-check, when werift is not a version it was checked against or lacks a member it uses.
 */
export function installWeriftLateTurn(version = installedWeriftVersion()): void {
  const hint = 'read werift\'s Connection.getCandidatePromises (its TURN branch), connect and schedulingChecks (node_modules/werift/lib/index.mjs) again, adapt peers/lib/werift-late-turn.ts or drop it if werift now pairs a late relay itself, and add the version to CHECKED_WERIFT_VERSIONS';
  const fail = (member: string): never => {
    throw new Error(`peers/lib/werift-late-turn.ts: werift ${version}'s Connection has no ${member}: ${hint}`);
  };
  assertCheckedWerift('peers/lib/werift-late-turn.ts', CHECKED_WERIFT_VERSIONS, version, hint);
  const proto = Connection.prototype as unknown as ConnectionInternals & { [PATCHED]?: true };
  if (proto[PATCHED]) return;
  for (const m of ['appendLocalCandidate', 'pairLocalProtocol', 'connect'] as const) {
    if (typeof (proto as unknown as Record<string, unknown>)[m] !== 'function') fail(m);
  }
  if (CandidatePairState.WAITING !== 1) fail('CandidatePairState.WAITING === 1');
  const append = proto.appendLocalCandidate;
  proto.appendLocalCandidate = function (this: ConnectionInternals, candidate) {
    const late = candidate?.type === 'relay' && this.earlyChecksDone === true && !this.nominated && this.state !== 'closed' && this.state !== 'failed';
    const protocol = late ? this.protocols.find((p) => p.localCandidate === candidate) : undefined;
    if (!protocol) return append.call(this, candidate);
    const before = new Set(this.checkList);
    this.pairLocalProtocol(protocol);
    const added = this.checkList.filter((p) => !before.has(p));
    append.call(this, candidate);
    if (added.length === 0) return;
    const pairing: LateTurnPairing = { pairs: added.length, endOfCandidates: this.remoteCandidatesEnd };
    for (const l of listeners) l(this as unknown as Connection, pairing);
    checkPairs(this, added, fail);
  };
  proto[PATCHED] = true;
}
