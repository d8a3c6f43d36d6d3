// coturn and static TURN users (turn.users): the credentials it is started with.
import { describe, expect, it } from 'vitest';
import { coturnArgs } from './coturn.js';
import { iceServerConfig } from './ice-config.js';

const base = { addresses: ['203.0.113.2', '203.0.113.3'], realm: 'lab', authSecret: 's3cret' };

describe('coturn credentials', () => {
  it('REST credentials from the shared secret by default', () => {
    const args = coturnArgs(base, '/state');
    expect(args).toContain('--use-auth-secret');
    expect(args).toContain('--static-auth-secret=s3cret');
    expect(args.some((a) => a.startsWith('--user='))).toBe(false);
  });

  it('static users replace the secret (coturn 4.6 ignores static users under --use-auth-secret)', () => {
    const args = coturnArgs({ ...base, users: [{ username: 'lab-1', password: 'x' }, { username: 'app', password: 'secret' }] }, '/state');
    expect(args).toContain('--lt-cred-mech');
    expect(args).toContain('--user=lab-1:x');
    expect(args).toContain('--user=app:secret');
    expect(args).not.toContain('--use-auth-secret');
    expect(args.some((a) => a.startsWith('--static-auth-secret'))).toBe(false);
  });

  it('the ICE config hands the lab\'s peers the static lab user when there is one', () => {
    const s = { host: '203.0.113.2', stunPort: 3478, tlsPort: 443, turnSecret: 's', ttlSeconds: 300 };
    expect(iceServerConfig({ ...s, staticUser: { username: 'lab-1', password: 'x' } }, 'cam').IceServerList[0]).toMatchObject({ Username: 'lab-1', Password: 'x' });
    expect(iceServerConfig(s, 'cam').IceServerList[0].Username).toMatch(/^\d+:cam$/);
  });
});
