import { describe, expect, it } from 'vitest';
import { loadScenario } from '../lab/model/scenario.js';
import { openRelayOverTls } from './firewall-bench.js';

describe('the firewall bench reference', () => {
  it('is the firewalled scenario\'s peers on an open network, both held to relay over TURN/TLS', () => {
    const ref = openRelayOverTls();
    const fw = loadScenario('firewalled');
    expect(ref.topology.name).toBe('port-restricted-cone');
    for (const p of [ref.camera, ...ref.viewers]) expect(p.ice).toMatchObject({ policy: 'relay', turnTransports: ['tls'] });
    expect([ref.camera.kind, ref.camera.profile, ref.viewers[0].kind]).toEqual([fw.camera.kind, fw.camera.profile, fw.viewers[0].kind]);
  });
});
