/** signaling: kvs for --explain: each side's KVS calls in the order the samples make them (SessionResult.signalingSteps). */
import type { SessionResult } from '../model/run-result.js';

const WHY: Record<string, string> = {
  describe: 'the control plane (SigV4-signed JSON POST, service kinesisvideo) names the channel\'s ARN',
  endpoint: 'the endpoints this role talks to, WSS and HTTPS on 443 without a port (the C SDK refuses a port)',
  connected: 'the official SDK\'s SignalingClient opened the presigned URL (the emulator checks the signature on the upgrade: 403 if bad or expired)',
  'ice-config': 'TURN credentials for this client from coturn\'s REST secret, plus the STUN host the SDKs hard-code (the lab DNS maps it to coturn)',
};

/** [ms from the offer, line] for each step; null when the session did not signal over KVS. */
export function kvsLines(s: SessionResult): [number | null, string][] | null {
  if (!s.signalingSteps?.length) return null;
  return s.signalingSteps.map((st) => [st.at, `the ${st.peer === 'camera' ? 'camera (MASTER)' : 'viewer (VIEWER)'}: ${st.detail}; ${WHY[st.step] ?? st.step}`]);
}
