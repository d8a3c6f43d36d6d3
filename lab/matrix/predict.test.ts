import { describe, expect, it } from 'vitest';
import { loadTopology, topologyFileSchema, topologyFromData } from '../model/topology-file.js';
import { composeCell, joinSides } from './compose.js';
import { predictOutcome } from './predict.js';

const predict = (x: string, y: string) => {
  const cell = composeCell(x, y);
  return predictOutcome(cell.topology, cell.viewerHost, cell.cameraHost);
};

describe('RFC 4787 prediction', () => {
  it('the classic grid: only symmetric against port-restricted or symmetric must relay', () => {
    const presets = ['full-cone', 'restricted-cone', 'port-restricted-cone', 'symmetric'];
    const grid = presets.map((x) => presets.map((y) => predict(x, y)[0]).join('')).join(' ');
    // rows: viewer behind FC, RC, PRC, SYM; columns: camera behind the same
    expect(grid).toBe('dddd dddd dddr ddrr');
  });

  it('blocked UDP relays, open and one-to-one meet anything that can send UDP', () => {
    expect(predict('firewalled', 'open')).toBe('relay');
    expect(predict('open', 'symmetric')).toBe('direct');
    expect(predict('one-to-one', 'symmetric')).toBe('direct');
  });

  it('two homes behind one carrier NAT meet through its hairpin', () => {
    const t = loadTopology('cgnat');
    expect(predictOutcome(t, 'a', 'b')).toBe('direct');
    const noHairpin = { ...t, routers: t.routers.map((r) => (r.name === 'cgn' ? { ...r, nat: { ...r.nat, hairpinning: false } } : r)) };
    expect(predictOutcome(noHairpin, 'a', 'b')).toBe('relay');
  });

  it('relay policy always relays', () => {
    const cell = composeCell('open', 'open');
    expect(predictOutcome(cell.topology, cell.viewerHost, cell.cameraHost, 'relay')).toBe('relay');
  });
});

describe('composed cells', () => {
  it('join the viewer-side path of one preset and the camera-side path of another on one internet', () => {
    const cell = composeCell('cgnat', 'symmetric');
    expect(cell.topology.routers.map((r) => r.name).sort()).toEqual(['cgn', 'homea', 'natb']);
    expect(cell.topology.hosts.map((h) => h.name).sort()).toEqual(['a', 'b', 'srv']);
    expect(cell.cameraHost).toBe('b');
  });

  it('rename what collides, keeping every reference consistent', () => {
    const file = (host: string, subnet: string) =>
      topologyFileSchema.parse({
        segments: { internet: { subnet: '203.0.113.0/24' }, lan: { subnet } },
        routers: { nat: { outside: 'internet', inside: 'lan', nat: 'symmetric' } },
        hosts: { [host]: { segment: 'lan' } },
      });
    const { spec, cameraHost } = joinSides(file('a', '10.0.1.0/24'), 'a', file('a', '10.0.2.0/24'), 'a');
    expect(cameraHost).toBe('ac');
    expect(Object.keys(spec.routers).sort()).toEqual(['nat', 'natc']);
    expect(spec.routers.natc).toMatchObject({ inside: 'lanc', outside: 'internet' });
    expect(spec.hosts.ac).toEqual({ segment: 'lanc' });
    expect(topologyFromData(spec, 'x').hosts.map((h) => h.name).sort()).toEqual(['a', 'ac', 'srv']);
  });
});
