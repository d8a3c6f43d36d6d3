/**
 * A signaling protocol's own steps for one session, from the peers' x-<protocol>-* events, on the
 * session's clock (ms from the offer). Today: KVS (peers/lib/kvs-signaling.ts). Pure.
 */
import type { SignalingStep } from '../model/run-result.js';
import type { PeerEvent } from './peer-process.js';

const KVS: Record<string, (e: PeerEvent) => string> = {
  'x-kvs-describe': (e) => `DescribeSignalingChannel ${String(e.channel)} on ${String(e.endpoint)}: ${String(e.channelARN)}`,
  'x-kvs-endpoint': (e) => `GetSignalingChannelEndpoint (${String(e.role)}): ${String(e.wss)}, ${String(e.https)}`,
  'x-kvs-ice-config': (e) => `GetIceServerConfig: ${((e.uris as string[] | undefined) ?? []).join(', ') || '(no TURN)'}; STUN ${String(e.stun)} (-> ${String(e.stunAddress)})`,
  'x-kvs-connected': (e) => `WSS open (SigV4-presigned${e.clientId && e.clientId !== 'MASTER' ? `, X-Amz-ClientId ${String(e.clientId)}` : ', master'}): ${String(e.wss)}`,
};

/**
 * The camera's steps without a session are the channel's (one connection for all viewers); its
 * GetIceServerConfig before each peer connection carries the viewer's session.
 */
export function signalingSteps(viewer: string, viewerEvents: PeerEvent[], cameraEvents: PeerEvent[], offerT: number | null): SignalingStep[] | undefined {
  const at = (e: PeerEvent) => (offerT === null ? null : Math.round((e.t - offerT) * 10) / 10);
  const steps: (SignalingStep & { t: number })[] = [];
  for (const [peer, events] of [['viewer', viewerEvents], ['camera', cameraEvents.filter((e) => !e.session || e.session === viewer)]] as const) {
    for (const e of events) {
      const text = KVS[e.event];
      if (text) steps.push({ t: e.t, at: at(e), peer, protocol: 'kvs', step: e.event.slice('x-kvs-'.length), detail: text(e) });
    }
  }
  if (!steps.length) return undefined;
  return steps.sort((a, b) => a.t - b.t).map(({ t: _t, ...s }) => s);
}
