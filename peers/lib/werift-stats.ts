/** The selected candidate pair and every pair, from werift's standard-shaped stats. */
import type { RTCPeerConnection } from 'werift';
import type { PairReport, PairView } from '../../lab/contract/events.js';
import { candidatePairsFromStats, selectedPairFromStats, type StatsRecord } from '../../lab/contract/stats.js';

async function statsOf(pc: RTCPeerConnection): Promise<StatsRecord[]> {
  return [...(await pc.getStats()).values()] as unknown as StatsRecord[];
}

/** werift's stats carry no relayProtocol: its own relay candidates get the transport it was given. */
export async function selectedPair(pc: RTCPeerConnection, localRelayProtocol: string | null): Promise<PairView | null> {
  return selectedPairFromStats(await statsOf(pc), { localRelayProtocol });
}

export async function candidatePairs(pc: RTCPeerConnection, localRelayProtocol: string | null): Promise<PairReport[]> {
  return candidatePairsFromStats(await statsOf(pc), { localRelayProtocol });
}
