import { describe, expect, it } from 'vitest';
import { LabError } from './errors.js';
import { listScenarios, loadScenario, scenarioFromData } from './scenario.js';

describe('scenario files', () => {
  it('ships the scenarios the product promises, all loadable', () => {
    const names = listScenarios();
    for (const s of ['open-internet', 'full-cone', 'restricted-cone', 'port-restricted-cone', 'symmetric-nat', 'symmetric-vs-full-cone', 'firewalled', 'cgnat', 'same-nat-hairpin', 'relay-forced', 'multi-viewer']) {
      expect(names).toContain(s);
    }
    for (const n of names) expect(loadScenario(n).name).toBe(n);
  });

  it('resolves the topology, the camera, the viewers and ICE settings with per-peer overrides', () => {
    const s = loadScenario('multi-viewer');
    expect(s.camera).toMatchObject({ name: 'camera', role: 'camera', host: 'cam', profile: 'pi' });
    expect(s.viewers).toHaveLength(10);
    expect(s.viewers.find((v) => v.name === 'v5')!.ice.turnTransports).toEqual(['tls']);
    expect(s.viewers.find((v) => v.name === 'v1')!.ice).toEqual({ policy: 'all', turnTransports: ['udp'], trickle: true });
    expect(loadScenario('relay-forced').viewers[0].ice.policy).toBe('relay');
  });

  it('rejects unknown scenarios with the list of known ones (a usage error)', () => {
    try {
      loadScenario('nope');
      throw new Error('accepted');
    } catch (err) {
      expect((err as LabError).code).toBe('usage');
      expect((err as LabError).message).toMatch(/unknown scenario "nope" \(known: byo-node-datachannel, cgnat, chromium-firewalled/);
    }
  });

  it('checks hosts, the one camera and the viewers against the topology', () => {
    const bad = (data: object) => {
      try {
        scenarioFromData(data, 'scenarios/x.yaml');
      } catch (err) {
        return (err as LabError).message;
      }
      return 'accepted';
    };
    const peers = { camera: { kind: 'pi-camera', host: 'b' }, viewer: { kind: 'viewer', host: 'zz' } };
    expect(bad({ topology: 'full-cone', peers })).toContain('scenarios/x.yaml: peers.viewer.host: topology full-cone has no host "zz" (hosts: a, b)');
    expect(bad({ topology: 'full-cone', peers: { viewer: { kind: 'viewer', host: 'a' } } })).toContain('needs exactly one camera peer');
    expect(bad({ topology: 'nonexistent', peers })).toContain('scenarios/x.yaml: topology: unknown topology "nonexistent"');
    expect(bad({ topology: 'full-cone', peers, expect: { outcome: 'fast' } })).toContain('expect.outcome');
    expect(bad({ topology: 'full-cone', peers, ice: { turnTransports: ['quic'] } })).toContain('ice.turnTransports[0]');
  });
});
