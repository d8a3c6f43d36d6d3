// coturn's command line, and the scenario option that sets its maximum allocation lifetime.
import { describe, expect, it } from 'vitest';
import { scenarioFromData } from '../model/scenario.js';
import { coturnArgs } from './coturn.js';

const base = { addresses: ['203.0.113.2', '203.0.113.3'], realm: 'lab', authSecret: 's3cret' };
const scenario = (turn?: unknown) => ({ topology: 'port-restricted-cone', peers: { camera: { kind: 'pi-camera', host: 'b' }, viewer: { kind: 'viewer', host: 'a' } }, ...(turn === undefined ? {} : { turn }) });

describe('coturn arguments', () => {
  it('TURN REST credentials, both listening addresses, no TLS without a certificate', () => {
    const args = coturnArgs(base, '/state');
    expect(args).toEqual(expect.arrayContaining(['--use-auth-secret', '--static-auth-secret=s3cret', '--listening-ip=203.0.113.2', '--listening-ip=203.0.113.3', '--no-tls']));
    expect(args.some((a) => a.startsWith('--max-allocate-lifetime'))).toBe(false); // coturn's default (3600 s)
  });

  it('a maximum allocation lifetime becomes --max-allocate-lifetime, exactly once', () => {
    const args = coturnArgs({ ...base, maxAllocateLifetimeS: 120 }, '/state');
    expect(args.filter((a) => a.startsWith('--max-allocate-lifetime'))).toEqual(['--max-allocate-lifetime=120']);
  });

  it('scenarios set it with turn.maxAllocationLifetimeS, checked at the edge', () => {
    expect(scenarioFromData(scenario({ maxAllocationLifetimeS: 90 }), 's.yaml').turn).toEqual({ maxAllocationLifetimeS: 90, users: [] });
    expect(scenarioFromData(scenario(), 's.yaml').turn).toEqual({ users: [] });
    expect(() => scenarioFromData(scenario({ maxAllocationLifetimeS: 0 }), 's.yaml')).toThrow(/turn\.maxAllocationLifetimeS/);
    expect(() => scenarioFromData(scenario({ maxLifetime: 5 }), 's.yaml')).toThrow(/turn/);
  });
});
