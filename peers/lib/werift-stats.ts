/** The selected candidate pair, from werift's standard-shaped stats. */
import type { RTCPeerConnection } from 'werift';
// The result's shapes (types only: nothing of the lab runs in a peer).
import type { CandidateView, PairView as SelectedPair } from '../../lab/model/run-result.js';

export type { CandidateView, SelectedPair };

export async function selectedPair(pc: RTCPeerConnection, localRelayProtocol: string | null): Promise<SelectedPair | null> {
  const report = await pc.getStats();
  const stats = [...report.values()] as unknown as Record<string, unknown>[];
  const transport = stats.find((s) => s.type === 'transport' && s.selectedCandidatePairId);
  const pair = stats.find((s) => s.id === transport?.selectedCandidatePairId) ?? stats.find((s) => s.type === 'candidate-pair' && s.nominated);
  if (!pair) return null;
  const view = (id: unknown, relay: string | null): CandidateView => {
    const c = stats.find((s) => s.id === id) ?? {};
    const type = String(c.candidateType ?? 'unknown');
    return { candidateType: type, protocol: String(c.protocol ?? '').toLowerCase(), address: String(c.address ?? ''), port: Number(c.port ?? 0), relayProtocol: type === 'relay' ? ((c.relayProtocol as string) ?? relay) : null };
  };
  const rtt = pair.currentRoundTripTime as number | undefined;
  return { local: view(pair.localCandidateId, localRelayProtocol), remote: view(pair.remoteCandidateId, null), rttMs: rtt === undefined ? null : Math.round(rtt * 1000 * 10) / 10 };
}

export interface PairReport {
  local: CandidateView;
  remote: CandidateView;
  state: string;
  nominated: boolean;
  requestsSent: number | null;
  responsesReceived: number | null;
}

/** Every candidate pair the ICE agent formed, with how its checks went (for --explain). */
export async function candidatePairs(pc: RTCPeerConnection, localRelayProtocol: string | null): Promise<PairReport[]> {
  const stats = [...(await pc.getStats()).values()] as unknown as Record<string, unknown>[];
  const view = (id: unknown): CandidateView => {
    const c = stats.find((s) => s.id === id) ?? {};
    const type = String(c.candidateType ?? 'unknown');
    return { candidateType: type, protocol: String(c.protocol ?? '').toLowerCase(), address: String(c.address ?? ''), port: Number(c.port ?? 0), relayProtocol: type === 'relay' ? localRelayProtocol : null };
  };
  return stats
    .filter((s) => s.type === 'candidate-pair')
    .map((p) => ({
      local: view(p.localCandidateId),
      remote: view(p.remoteCandidateId),
      state: String(p.state ?? ''),
      nominated: Boolean(p.nominated),
      requestsSent: (p.requestsSent as number | undefined) ?? null,
      responsesReceived: (p.responsesReceived as number | undefined) ?? null,
    }));
}
