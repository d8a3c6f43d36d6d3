/**
 * A runtime patch to werift's ICE agent (its exported `Connection` class): with several nominated
 * valid pairs, use the one with the highest priority (RFC 8445 §8.1.1), instead of keeping the first.
 *
 * Why: werift's `checkComplete` sets the selected pair (`nominated`) only while none is set, so a
 * later USE-CANDIDATE on a better valid pair is acknowledged and then ignored. Chromium (controlling,
 * semi-aggressive nomination) often nominates a relay pair first and the direct pair a moment later;
 * the werift camera then kept sending through TURN while Chromium sent direct (issue 15: 2/10 direct
 * behind two port-restricted cones). It applies to both roles: a werift viewer (controlling) nominates
 * every pair it checks (aggressive nomination), so its camera, which now follows the best nomination,
 * must not be left alone there either.
 *
 * What moves with the switch: werift sends DTLS, SRTP/SRTCP and SCTP through `Connection.send`, which
 * writes to `nominated`; stats report `nominated` as the transport's `selectedCandidatePairId`; consent
 * freshness (RFC 7675) restarts on the new pair. A lower-priority nomination (a controlling agent
 * falling back after the direct path died) is not followed: werift never did, and RFC 8445 says
 * the highest-priority one.
 *
 * It relies on werift internals, so it refuses any werift version it was not checked against and any
 * Connection that lacks the members it uses: an upgrade fails at peer start, with this file's name.
 */
import { CandidatePairState, Connection, type CandidatePair } from 'werift';
import { assertCheckedWerift, installedWeriftVersion } from './werift-version.js';

/** werift versions whose Connection internals were read for this patch (lib/ice/src/ice.js and lib/index.mjs). */
export const CHECKED_WERIFT_VERSIONS = ['0.25.2'];

/** The members of werift's CandidatePair the patch reads. */
export interface PairInternals {
  state: number;
  nominated: boolean;
  readonly priority: number;
  readonly component: number;
  remoteCandidate: { generation?: number };
}

/** The members of werift's Connection the patch reads, calls or sets (private in its types). */
interface ConnectionInternals {
  nominated?: PairInternals;
  nominating: boolean;
  generation: number;
  state: string;
  iceLite: boolean;
  checkComplete(pair: PairInternals): void;
  pruneTcpConnections(pair: PairInternals): void;
  queryConsent(): void;
}

const PATCHED = Symbol.for('webrtc-lab.werift-renomination');

export type PairSwitchListener = (connection: Connection, from: CandidatePair, to: CandidatePair) => void;
const listeners = new Set<PairSwitchListener>();

/** Calls `listener` on every switch of any connection's selected pair; returns the unsubscribe. */
export function onPairSwitch(listener: PairSwitchListener): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

/**
 * Whether `pair`, just completed, should replace the selected pair: it succeeded and is nominated
 * (by our aggressive nomination or by the controlling peer's USE-CANDIDATE), it is of this ICE
 * generation and component, and it beats the selected pair's priority. Pure.
 */
export function followsNomination(selected: PairInternals | undefined, pair: PairInternals, generation: number): boolean {
  if (!selected || selected === pair) return false;
  if (pair.state !== CandidatePairState.SUCCEEDED || !pair.nominated) return false;
  if (pair.remoteCandidate.generation !== undefined && pair.remoteCandidate.generation !== generation) return false;
  return pair.component === selected.component && pair.priority > selected.priority;
}

/**
 * Installs the patch on werift's Connection prototype, once per process; throws, naming what to
 * re-check, when werift is not a version it was checked against or lacks a member it uses.
 */
export function installWeriftRenomination(version = installedWeriftVersion()): void {
  const hint = 'read werift\'s Connection.checkComplete (node_modules/werift/lib/index.mjs) again, adapt peers/lib/werift-renomination.ts or drop it if werift now follows a later nomination, and add the version to CHECKED_WERIFT_VERSIONS';
  assertCheckedWerift('peers/lib/werift-renomination.ts', CHECKED_WERIFT_VERSIONS, version, hint);
  const proto = Connection.prototype as unknown as ConnectionInternals & { [PATCHED]?: true };
  if (proto[PATCHED]) return;
  const missing: string[] = (['checkComplete', 'pruneTcpConnections'] as const).filter((m) => typeof proto[m] !== 'function');
  if (CandidatePairState.SUCCEEDED !== 3) missing.push('CandidatePairState.SUCCEEDED === 3');
  if (missing.length) throw new Error(`peers/lib/werift-renomination.ts: werift ${version}'s Connection lacks ${missing.join(', ')}: ${hint}`);
  const original = proto.checkComplete;
  proto.checkComplete = function (this: ConnectionInternals, pair: PairInternals) {
    if (this.state !== 'closed' && this.state !== 'failed' && followsNomination(this.nominated, pair, this.generation)) {
      // queryConsent is an instance field in werift: check it where it is, on the live object.
      if (typeof this.queryConsent !== 'function') throw new Error(`peers/lib/werift-renomination.ts: werift ${version}'s Connection has no queryConsent: ${hint}`);
      const from = this.nominated!;
      this.nominated = pair;
      this.nominating = false;
      this.pruneTcpConnections(pair);
      // werift starts consent on the first selected pair when it connects; after that it is ours to move.
      if (!this.iceLite && (this.state === 'connected' || this.state === 'completed')) this.queryConsent();
      for (const l of listeners) l(this as unknown as Connection, from as unknown as CandidatePair, pair as unknown as CandidatePair);
    }
    return original.call(this, pair);
  };
  proto[PATCHED] = true;
}
