/**
 * The ICE-server-config endpoint's answer, in the shape of Kinesis Video Streams'
 * GetIceServerConfig: TURN URIs with fresh credentials and a TTL, plus the lab's STUN URI.
 */
import { TURN_TRANSPORTS, type IceServerConfigResponse, type TurnTransport } from '../contract/ice-config.js';
import { turnCredential } from './credentials.js';

// The answer's shape is part of the peer contract (lab/contract/ice-config.ts).
export { TURN_TRANSPORTS, transportOf, type IceServerConfigResponse, type TurnTransport } from '../contract/ice-config.js';

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
