import { describe, expect, it } from 'vitest';
import { LabError } from '../../model/errors.js';
import { scenarioFromData } from '../../model/scenario.js';
import { planServices } from '../lab-services.js';
import { kvsPeerEnv, withKvsEmulator } from './kvs-plan.js';

const base = { topology: 'full-cone', peers: { cam: { kind: 'pi-camera', host: 'b' }, viewer: { kind: 'viewer', host: 'a' } } };
const load = (extra: Record<string, unknown>) => scenarioFromData({ ...base, ...extra }, '/proj/scenarios/s.yaml');

describe('signaling: kvs in a scenario', () => {
  it('defaults the account, adds the emulator service on 443 and the AWS names (STUN to coturn)', () => {
    const s = load({ signaling: 'kvs' });
    expect(s.kvs).toEqual({ region: 'us-west-2', channels: ['lab-channel'], credentials: { accessKeyId: 'AKIDLABEXAMPLE', secretAccessKey: 'lab-secret-access-key' } });
    const plan = planServices(s.topology, {});
    const run = withKvsEmulator(s, plan, s.topology.services.addresses[0]);
    const svc = run.services!.find((x) => x.name === 'kvs')!;
    expect(svc).toMatchObject({ port: 443, host: 'srv', ready: { kind: 'port' } });
    expect(JSON.parse(svc.env.LAB_KVS_CONFIG)).toMatchObject({ region: 'us-west-2', channels: ['lab-channel'], signalingHost: expect.stringMatching(/^v-[0-9a-f]+\.kinesisvideo\.us-west-2\.amazonaws\.com$/), ice: { turnSecret: plan.turnSecret } });
    expect(run.dns).toMatchObject({ 'kinesisvideo.us-west-2.amazonaws.com': 'kvs', 'stun.kinesisvideo.us-west-2.amazonaws.com': s.topology.services.addresses[0] });
    expect(kvsPeerEnv(s.kvs!)).toMatchObject({ LAB_KVS_REGION: 'us-west-2', LAB_KVS_CHANNEL: 'lab-channel' });
  });
  it('leaves other protocols alone and names wrong settings', () => {
    const s = load({});
    expect(withKvsEmulator(s, planServices(s.topology, {}), '203.0.113.2')).toBe(s);
    const msg = (extra: Record<string, unknown>) => {
      try {
        load(extra);
      } catch (err) {
        return (err as LabError).message;
      }
      return 'accepted';
    };
    expect(msg({ kvs: { region: 'us-west-2' } })).toMatch(/kvs: settings need signaling: kvs/);
    expect(msg({ signaling: 'kvs', kvs: { region: 'mars' } })).toMatch(/kvs\.region/);
    expect(msg({ signaling: 'kvs', services: { kvs: { command: ['x'], port: 1 } } })).toMatch(/services\.kvs.*rename yours/);
  });
});
