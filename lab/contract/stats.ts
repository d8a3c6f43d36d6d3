/**
 * W3C getStats() records -> the contract's candidate views, for every stack that has
 * standard-shaped stats (werift, browsers), and a normaliser for those that do not. No Node API:
 * the Chromium page uses it too.
 */
import type { CandidateView, PairReport, PairView } from './events.js';

export type StatsRecord = { id?: unknown; type?: unknown; [field: string]: unknown };

/** A candidate as a stack describes it (RTCIceCandidateStats' names; browsers may say `ip`). */
export interface RawCandidate {
  candidateType?: unknown;
  protocol?: unknown;
  address?: unknown;
  ip?: unknown;
  port?: unknown;
  relayProtocol?: unknown;
}

/**
 * One end of a pair. `relayFallback` is the TURN transport to report for a relay candidate whose
 * stats carry no relayProtocol (werift's never do: the peer knows which transport it was given).
 */
export function candidateView(c: RawCandidate | undefined, relayFallback: string | null = null): CandidateView {
  const type = String(c?.candidateType ?? 'unknown');
  const relay = typeof c?.relayProtocol === 'string' && c.relayProtocol ? c.relayProtocol : relayFallback;
  return {
    candidateType: type,
    protocol: String(c?.protocol ?? '').toLowerCase(),
    address: String(c?.address ?? c?.ip ?? ''),
    port: Number(c?.port ?? 0),
    relayProtocol: type === 'relay' ? relay : null,
  };
}

export interface StatsViewOptions {
  /** The TURN transport this peer was given: reported for its own relay candidates (see candidateView). */
  localRelayProtocol?: string | null;
}

/** Round-trip time in ms with one decimal, from the stats' seconds. */
function rttMs(pair: StatsRecord): number | null {
  const rtt = pair.currentRoundTripTime;
  return typeof rtt === 'number' ? Math.round(rtt * 10_000) / 10 : null;
}

function ends(stats: StatsRecord[], pair: StatsRecord, opts: StatsViewOptions): { local: CandidateView; remote: CandidateView } {
  const find = (id: unknown) => stats.find((s) => s.id === id) as RawCandidate | undefined;
  return { local: candidateView(find(pair.localCandidateId), opts.localRelayProtocol ?? null), remote: candidateView(find(pair.remoteCandidateId)) };
}

/**
 * The pair the transport selected (RTCTransportStats.selectedCandidatePairId), else the first
 * nominated one (stacks that do not fill the transport's selection), else null.
 */
export function selectedPairFromStats(stats: StatsRecord[], opts: StatsViewOptions = {}): PairView | null {
  const transport = stats.find((s) => s.type === 'transport' && s.selectedCandidatePairId);
  const pair = stats.find((s) => transport && s.id === transport.selectedCandidatePairId) ?? stats.find((s) => s.type === 'candidate-pair' && s.nominated);
  if (!pair) return null;
  return { ...ends(stats, pair, opts), rttMs: rttMs(pair) };
}

/** Every candidate pair the ICE agent formed, with how its checks went (for --explain). */
export function candidatePairsFromStats(stats: StatsRecord[], opts: StatsViewOptions = {}): PairReport[] {
  const count = (v: unknown) => (typeof v === 'number' ? v : null);
  return stats
    .filter((s) => s.type === 'candidate-pair')
    .map((p) => ({ ...ends(stats, p, opts), state: String(p.state ?? ''), nominated: Boolean(p.nominated), requestsSent: count(p.requestsSent), responsesReceived: count(p.responsesReceived) }));
}
