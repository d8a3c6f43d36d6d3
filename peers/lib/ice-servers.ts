/** Fetches TURN credentials from the lab's ICE-config endpoint (KVS GetIceServerConfig style). */
import type { CommonPeerConfig } from './contract.js';
import { iceConfigRequestUrl, type IceServerConfigResponse } from '../../lab/contract/ice-config.js';

export { iceServersFor, type IceServer } from '../../lab/contract/ice-config.js';

export async function fetchIceConfig(cfg: CommonPeerConfig): Promise<IceServerConfigResponse> {
  const url = iceConfigRequestUrl(cfg.iceConfigUrl, cfg.room, cfg.peerId);
  const res = await fetch(url, { headers: { authorization: `Bearer ${cfg.token}` }, signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`ICE config ${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as IceServerConfigResponse;
}
