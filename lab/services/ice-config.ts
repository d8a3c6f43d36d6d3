/**
 * The ICE-server-config endpoint's answer, in the shape of Kinesis Video Streams'
 * GetIceServerConfig: TURN URIs with fresh credentials and a TTL, plus the lab's STUN URI.
 */
import { turnCredential } from './credentials.js';

export const TURN_TRANSPORTS = ['udp', 'tcp', 'tls'] as const;
export type TurnTransport = (typeof TURN_TRANSPORTS)[number];

export interface IceServerConfigResponse {
  IceServerList: { Uris: string[]; Username: string; Password: string; Ttl: number }[];
  /** STUN needs no credentials; KVS hands it out apart from the TURN list too. */
  StunUris: string[];
}

export interface IceEndpointSettings {
  host: string;
  stunPort: number;
  tlsPort: number;
  turnSecret: string;
  ttlSeconds: number;
  /** A static long-term user instead of REST credentials (a coturn with static users takes no REST ones). */
  staticUser?: { username: string; password: string };
}

export function turnUri(transport: TurnTransport, host: string, ports: { stunPort: number; tlsPort: number }): string {
  return transport === 'tls' ? `turns:${host}:${ports.tlsPort}?transport=tcp` : `turn:${host}:${ports.stunPort}?transport=${transport}`;
}

export function iceServerConfig(s: IceEndpointSettings, clientId: string, nowMs = Date.now()): IceServerConfigResponse {
  const cred = s.staticUser ?? turnCredential(s.turnSecret, clientId, s.ttlSeconds, nowMs);
  return {
    IceServerList: [{ Uris: TURN_TRANSPORTS.map((t) => turnUri(t, s.host, s)), Username: cred.username, Password: cred.password, Ttl: s.ttlSeconds }],
    StunUris: [`stun:${s.host}:${s.stunPort}`],
  };
}

/** The transport a turn:/turns: URI selects. */
export function transportOf(uri: string): TurnTransport | null {
  if (uri.startsWith('turns:')) return 'tls';
  if (!uri.startsWith('turn:')) return null;
  return /[?&]transport=tcp\b/.test(uri) ? 'tcp' : 'udp';
}
