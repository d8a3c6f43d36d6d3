/** Fetches TURN credentials from the lab's ICE-config endpoint (KVS GetIceServerConfig style). */
import type { CommonPeerConfig } from './contract.js';
import { transportOf } from '../../lab/services/ice-config.js';

export interface IceServer {
  urls: string;
  username?: string;
  credential?: string;
}

interface IceConfigResponse {
  IceServerList: { Uris: string[]; Username: string; Password: string; Ttl: number }[];
  StunUris: string[];
}

export async function fetchIceConfig(cfg: CommonPeerConfig): Promise<IceConfigResponse> {
  const url = `${cfg.iceConfigUrl}?room=${encodeURIComponent(cfg.room)}&peer=${encodeURIComponent(cfg.peerId)}`;
  const res = await fetch(url, { headers: { authorization: `Bearer ${cfg.token}` }, signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`ICE config ${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as IceConfigResponse;
}

/**
 * Always the lab's own STUN server (werift falls back to a public one without it), then the TURN
 * URIs of the chosen transports in the chosen order: stacks that use only the first TURN URL
 * (werift) and those that use all (browsers) then exercise the same relay path.
 */
export function iceServersFor(config: IceConfigResponse, transports: CommonPeerConfig['turnTransports']): IceServer[] {
  const turn = config.IceServerList[0];
  const servers: IceServer[] = config.StunUris.map((urls) => ({ urls }));
  for (const t of transports) {
    const uri = turn?.Uris.find((u) => transportOf(u) === t);
    if (uri) servers.push({ urls: uri, username: turn.Username, credential: turn.Password });
  }
  return servers;
}
