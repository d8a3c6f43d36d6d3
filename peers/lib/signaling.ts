/** Connects a peer to the scenario's signaling (LAB_SIGNALING): the lab's own protocol or KVS. */
import type { IceServerConfigResponse } from '../../lab/contract/ice-config.js';
import { emit, envChoice, type CommonPeerConfig } from './contract.js';
import { fetchIceConfig } from './ice-servers.js';
import { connectKvs, kvsSettings } from './kvs-signaling.js';
import { SignalingClient, type Signaling } from './signaling-client.js';

export interface PeerSignaling {
  signaling: Signaling;
  fetchIceConfig(): Promise<IceServerConfigResponse>;
}

/** Camera: master (lab: its own peer id). Viewer: talks to `cameraId`. Emits signaling-connected once connected. */
export async function connectSignaling(cfg: CommonPeerConfig, role: 'camera' | 'viewer', cameraId: string): Promise<PeerSignaling> {
  const protocol = envChoice('LAB_SIGNALING', ['lab', 'kvs'] as const, 'lab');
  const deadline = Date.now() + cfg.timeoutMs;
  const out: PeerSignaling =
    protocol === 'kvs'
      ? await connectKvs(kvsSettings(), role === 'camera' ? 'MASTER' : 'VIEWER', role === 'camera' ? null : cfg.peerId, cameraId, deadline)
      : { signaling: await SignalingClient.connect(`${cfg.signalingUrl}?room=${cfg.room}&peer=${cfg.peerId}&token=${cfg.token}`, deadline), fetchIceConfig: () => fetchIceConfig(cfg) };
  emit('signaling-connected', protocol === 'lab' ? {} : { protocol });
  return out;
}
