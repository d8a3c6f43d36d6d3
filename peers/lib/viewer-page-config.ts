/** What the browser viewers (Chromium, Firefox) start the shared viewer page (peers/chromium/viewer-page.ts) with. */
import type { ViewerConfig } from '../chromium/viewer-page.js';
import type { CommonPeerConfig } from './contract.js';

export function viewerPageConfig(cfg: CommonPeerConfig, remote: string, own: Pick<ViewerConfig, 'signaling' | 'mqttUrl' | 'whepUrl'> & Partial<ViewerConfig>): ViewerConfig {
  return {
    peerId: cfg.peerId,
    room: cfg.room,
    token: cfg.token,
    remote,
    signalingUrl: cfg.signalingUrl,
    iceConfigUrl: cfg.iceConfigUrl,
    icePolicy: cfg.icePolicy,
    turnTransports: cfg.turnTransports,
    trickle: cfg.trickle,
    timeoutMs: cfg.timeoutMs,
    ...own,
  };
}
