/**
 * The ICE-config endpoint's answer as peers receive it (the shape of Kinesis Video Streams'
 * GetIceServerConfig), and how a peer turns it into RTCIceServers. No Node API: the Chromium
 * page uses it too.
 */

export const TURN_TRANSPORTS = ['udp', 'tcp', 'tls'] as const;
export type TurnTransport = (typeof TURN_TRANSPORTS)[number];

export interface IceServerConfigResponse {
  IceServerList: { Uris: string[]; Username: string; Password: string; Ttl: number }[];
  /** STUN needs no credentials; KVS hands it out apart from the TURN list too. */
  StunUris: string[];
}

/** One entry of RTCConfiguration.iceServers, with a single URL. */
export interface IceServer {
  urls: string;
  username?: string;
  credential?: string;
}

/** The transport a turn:/turns: URI selects; null for anything else (stun:). */
export function transportOf(uri: string): TurnTransport | null {
  if (uri.startsWith('turns:')) return 'tls';
  if (!uri.startsWith('turn:')) return null;
  return /[?&]transport=tcp\b/.test(uri) ? 'tcp' : 'udp';
}

/**
 * Always the lab's own STUN server (werift falls back to a public one without it), then the TURN
 * URIs of the chosen transports in the chosen order: stacks that use only the first TURN URL
 * (werift) and those that use all (browsers) then exercise the same relay path.
 */
export function iceServersFor(config: IceServerConfigResponse, transports: readonly TurnTransport[]): IceServer[] {
  const turn = config.IceServerList[0];
  const servers: IceServer[] = config.StunUris.map((urls) => ({ urls }));
  for (const t of transports) {
    const uri = turn?.Uris.find((u) => transportOf(u) === t);
    if (uri) servers.push({ urls: uri, username: turn.Username, credential: turn.Password });
  }
  return servers;
}

/** The TURN transport of the first TURN server a stack is given (what werift uses), or null. */
export function firstRelayProtocol(servers: readonly IceServer[]): TurnTransport | null {
  for (const s of servers) {
    const t = transportOf(s.urls);
    if (t) return t;
  }
  return null;
}

/** The ICE-config endpoint's URL for one peer (it also wants `Authorization: Bearer <token>`). */
export function iceConfigRequestUrl(endpoint: string, room: string, peerId: string): string {
  return `${endpoint}?room=${encodeURIComponent(room)}&peer=${encodeURIComponent(peerId)}`;
}
