/** The ICE servers a libwebrtc peer is given (pure: no native module, so a unit test can load it). */
import { transportOf, type IceServer, type IceServerConfigResponse, type TurnTransport } from '../../lab/contract/ice-config.js';

/**
 * The lab's STUN server, then TURN URIs for the chosen transports. libwebrtc uses every URL it is
 * given, so "tcp" carries both TCP ports of the lab's TURN server: 3478 and 443 (coturn answers
 * plain TURN over TCP on its TLS port too), so TURN over TCP crosses a firewall that lets only
 * TCP 443 out.
 */
export function libwebrtcIceServers(config: IceServerConfigResponse, transports: readonly TurnTransport[]): IceServer[] {
  const turn = config.IceServerList[0];
  const servers: IceServer[] = config.StunUris.map((urls) => ({ urls }));
  const add = (urls: string) => turn && servers.push({ urls, username: turn.Username, credential: turn.Password });
  for (const t of transports) {
    for (const uri of turn?.Uris.filter((u) => transportOf(u) === t) ?? []) add(uri);
    const tls = turn?.Uris.find((u) => transportOf(u) === 'tls');
    if (t === 'tcp' && tls) add(tls.replace(/^turns:/, 'turn:'));
  }
  return servers;
}

