// Every preset is classified by coturn's turnutils_natdiscovery (RFC 5780) exactly as declared.
import { describe, expect, it } from 'vitest';
import { listTopologies, loadTopology } from '../../lab/model/topology-file.js';
import { verifyNat } from '../../lab/verify/verify-nat.js';
import { backend, labNamespaces } from './helpers.js';

describe.concurrent('verify-nat: observed == declared', () => {
  for (const name of listTopologies()) {
    it(name, async () => {
      const result = await verifyNat(backend, loadTopology(name));
      for (const h of result.hosts) expect({ host: h.host, observed: h.observed }).toEqual({ host: h.host, observed: h.declared });
      expect(result.ok).toBe(true);
      expect(labNamespaces(result.labId)).toEqual([]);
    });
  }

  it('catches a router that does not behave as declared', async () => {
    const result = await verifyNat(backend, loadTopology('full-cone'), {
      // Turn nata into a plain masquerade (port-restricted) behind the topology's back.
      afterUp: async (lab) => {
        await lab.exec('nata', ['nft', 'flush', 'chain', 'ip', 'lab', 'prerouting']);
      },
    });
    expect(result.ok).toBe(false);
    const a = result.hosts.find((h) => h.host === 'a')!;
    expect(a.match).toBe(false);
    expect(a.declared.filtering).toBe('endpoint-independent');
    expect(a.observed.filtering).toBe('address-and-port-dependent');
    expect(result.hosts.find((h) => h.host === 'b')!.match).toBe(true);
  });
});
