import { describe, expect, it } from 'vitest';
import { LabError } from './errors.js';
import { burstLossShare, impairmentSchema, mergeImpairments, type Impairment } from './impairment.js';
import { scenarioFromData } from './scenario.js';
import { loadTopology, topologyFromData } from './topology-file.js';

const imp = (fields: Partial<Impairment> & { node: string; iface: string }): Impairment => impairmentSchema.parse(fields);

function problems(data: object): string {
  try {
    scenarioFromData({ topology: 'port-restricted-cone', peers: { camera: { kind: 'pi-camera', host: 'b' }, viewer: { kind: 'viewer', host: 'a' } }, ...data }, 'scenarios/x.yaml');
  } catch (err) {
    return (err as LabError).message;
  }
  return 'accepted';
}

describe('impairments in scenarios and topology files', () => {
  it('fills the defaults: both directions, nothing but what is asked', () => {
    const s = scenarioFromData({ topology: 'port-restricted-cone', peers: { camera: { kind: 'pi-camera', host: 'b' }, viewer: { kind: 'viewer', host: 'a' } }, impairments: [{ node: 'nata', iface: 'wan0', delayMs: 100 }] }, 'scenarios/x.yaml');
    expect(s.impairments).toEqual([{ node: 'nata', iface: 'wan0', delayMs: 100, jitterMs: 0, loss: 0, duplicate: 0, reorder: 0, rateKbps: 0, queue: 100, direction: 'both' }]);
  });

  it('names the file, the field and what is expected for bad values', () => {
    const msg = problems({ impairments: [{ node: 'natz', iface: 'wan0' }, { node: 'nata', iface: 'eth9' }, { node: 'a', iface: 'eth0', loss: 1.5 }, { node: 'a', iface: 'eth0', direction: 'sideways' }] });
    expect(msg).toContain('impairments[2].loss: loss must be from 0 to 1 (0.05 = 5%)');
    expect(msg).toContain('impairments[3].direction: direction must be in, out or both');
    // Fields are checked first; the topology checks come once every field is right.
    const semantic = problems({ impairments: [{ node: 'natz', iface: 'wan0' }, { node: 'nata', iface: 'eth9' }] });
    expect(semantic).toContain('x.yaml');
    expect(semantic).toContain('impairments[0].node: topology port-restricted-cone has no node "natz" (nodes: nata, natb, srv, a, b)');
    expect(semantic).toContain('impairments[1].iface: node "nata" has no interface "eth9" (it has: wan0, lan0)');
  });

  it('rejects contradictions: loss and burstLoss, jitter past the delay, reorder without delay, one direction twice', () => {
    const msg = problems({
      impairments: [
        { node: 'nata', iface: 'wan0', loss: 0.1, burstLoss: { p: 0.01, r: 0.3 } },
        { node: 'natb', iface: 'wan0', delayMs: 10, jitterMs: 20, direction: 'out' },
        { node: 'natb', iface: 'wan0', reorder: 0.1, direction: 'in' },
        { node: 'a', iface: 'eth0', delayMs: 5 },
        { node: 'a', iface: 'eth0', delayMs: 5, direction: 'in' },
      ],
    });
    expect(msg).toContain('impairments[0].burstLoss: give either loss (random) or burstLoss (Gilbert-Elliott), not both');
    expect(msg).toContain('impairments[1].jitterMs: jitterMs (20) must not exceed delayMs (10)');
    expect(msg).toContain('impairments[2].reorder: reorder needs a delayMs');
    expect(msg).toContain('impairments[4].direction: a eth0 direction in is already impaired by entry 3');
  });

  it('takes link defaults from the topology file; a scenario entry replaces them per direction', () => {
    const t = topologyFromData({ ...structuredClone(rawPortRestricted()), impairments: [{ node: 'nata', iface: 'wan0', delayMs: 50 }] }, 'topologies/t.yaml');
    expect(t.impairments).toHaveLength(1);
    const merged = mergeImpairments(t.impairments!, [imp({ node: 'nata', iface: 'wan0', loss: 0.05, direction: 'in' })]);
    expect(merged.map((m) => [m.direction, m.delayMs, m.loss])).toEqual([
      ['out', 50, 0],
      ['in', 0, 0.05],
    ]);
    expect(() => topologyFromData({ ...rawPortRestricted(), impairments: [{ node: 'nata', iface: 'lan7' }] }, 'topologies/t.yaml')).toThrow(/topologies\/t.yaml[\s\S]*impairments\[0\]\.iface: node "nata" has no interface "lan7"/);
  });

  it('the Gilbert-Elliott chain loses p/(p+r) of the packets when the bad state loses all', () => {
    expect(burstLossShare({ p: 0.01, r: 0.09, lossInBad: 1, lossInGood: 0 })).toBeCloseTo(0.1);
    expect(burstLossShare({ p: 0.05, r: 0.05, lossInBad: 0.5, lossInGood: 0.1 })).toBeCloseTo(0.3);
  });
});

function rawPortRestricted() {
  const t = loadTopology('port-restricted-cone');
  return {
    segments: Object.fromEntries(t.segments.map((s) => [s.name, { subnet: s.subnet }])),
    routers: Object.fromEntries(t.routers.map((r) => [r.name, { outside: r.outside.segment, inside: r.inside.map((i) => i.segment), nat: 'port-restricted-cone' }])),
    hosts: Object.fromEntries(t.hosts.filter((h) => h.role === 'peer').map((h) => [h.name, { segment: h.iface.segment }])),
  };
}
