import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signJoinToken, turnCredential, verifyJoinToken } from './credentials.js';
import { iceServerConfig, transportOf } from './ice-config.js';

describe('credentials', () => {
  it('join tokens verify for their room and peer until they expire', () => {
    const now = 1_700_000_000_000;
    const t = signJoinToken('s', 'room', 'cam', 60, now);
    expect(verifyJoinToken('s', 'room', 'cam', t, now)).toEqual({ ok: true });
    expect(verifyJoinToken('s', 'room', 'cam', t, now + 61_000)).toEqual({ ok: false, reason: 'token expired' });
    expect(verifyJoinToken('s', 'other', 'cam', t, now).ok).toBe(false);
    expect(verifyJoinToken('s', 'room', 'cam', 'garbage', now)).toEqual({ ok: false, reason: 'malformed token' });
  });

  it('TURN REST credentials follow coturn: "<expiry>:<id>" and base64 HMAC-SHA1', () => {
    const c = turnCredential('secret', 'cam', 300, 1_700_000_000_000);
    expect(c.username).toBe('1700000300:cam');
    expect(c.password).toBe(createHmac('sha1', 'secret').update('1700000300:cam').digest('base64'));
  });

  it('the ICE config lists TURN over udp, tcp and tls (443) with a TTL, and the STUN URI', () => {
    const r = iceServerConfig({ host: '203.0.113.2', stunPort: 3478, tlsPort: 443, turnSecret: 's', ttlSeconds: 300 }, 'cam');
    expect(r.StunUris).toEqual(['stun:203.0.113.2:3478']);
    expect(r.IceServerList[0].Uris).toEqual(['turn:203.0.113.2:3478?transport=udp', 'turn:203.0.113.2:3478?transport=tcp', 'turns:203.0.113.2:443?transport=tcp']);
    expect(r.IceServerList[0].Ttl).toBe(300);
    expect(r.IceServerList[0].Uris.map(transportOf)).toEqual(['udp', 'tcp', 'tls']);
  });
});
