import { describe, expect, it } from 'vitest';
import { libwebrtcIceServers } from './libwebrtc-ice.js';

const config = {
  IceServerList: [{ Uris: ['turn:203.0.113.2:3478?transport=udp', 'turn:203.0.113.2:3478?transport=tcp', 'turns:203.0.113.2:443?transport=tcp'], Username: 'u', Password: 'p', Ttl: 300 }],
  StunUris: ['stun:203.0.113.2:3478'],
};

describe('libwebrtcIceServers', () => {
  it('always gives the lab STUN server first, then the chosen transports in order', () => {
    expect(libwebrtcIceServers(config, ['udp']).map((s) => s.urls)).toEqual(['stun:203.0.113.2:3478', 'turn:203.0.113.2:3478?transport=udp']);
    expect(libwebrtcIceServers(config, ['tls']).map((s) => s.urls)).toEqual(['stun:203.0.113.2:3478', 'turns:203.0.113.2:443?transport=tcp']);
  });

  it('gives tcp on 3478 and on the TLS port 443 too, so TURN over TCP crosses a firewall that opens only 443', () => {
    const servers = libwebrtcIceServers(config, ['tcp']);
    expect(servers.map((s) => s.urls)).toEqual(['stun:203.0.113.2:3478', 'turn:203.0.113.2:3478?transport=tcp', 'turn:203.0.113.2:443?transport=tcp']);
    expect(servers[2]).toMatchObject({ username: 'u', credential: 'p' });
  });
});
