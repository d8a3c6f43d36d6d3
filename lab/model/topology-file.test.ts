import { describe, expect, it } from 'vitest';
import { LabError } from './errors.js';
import { listTopologies, loadTopology, topologyFromData } from './topology-file.js';
import { upstreamRouters } from './topology.js';

const base = () => ({
  segments: { internet: { subnet: '203.0.113.0/24' }, lana: { subnet: '192.168.1.0/24' } },
  routers: { nata: { outside: 'internet', inside: 'lana', nat: 'full-cone' } },
  hosts: { a: { segment: 'lana' } },
});

function problemsOf(data: unknown): string {
  try {
    topologyFromData(data, 'topologies/test.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(LabError);
    return (err as LabError).message;
  }
  throw new Error('expected the topology to be rejected');
}

describe('topology files', () => {
  it('loads every shipped preset', () => {
    const names = listTopologies();
    for (const preset of ['open', 'full-cone', 'restricted-cone', 'port-restricted-cone', 'symmetric', 'firewalled', 'cgnat', 'one-to-one']) {
      expect(names).toContain(preset);
    }
    for (const name of names) expect(loadTopology(name).name).toBe(name);
  });

  it('allocates addresses: void gateway .1, services .2/.3, then routers and hosts; LAN gateway .1', () => {
    const t = topologyFromData(base(), 'x.yaml');
    expect(t.voidGateway).toBe('203.0.113.1');
    expect(t.services.addresses).toEqual(['203.0.113.2', '203.0.113.3']);
    expect(t.routers[0].outside.addresses).toEqual(['203.0.113.4']);
    expect(t.routers[0].inside[0].addresses).toEqual(['192.168.1.1']);
    const a = t.hosts.find((h) => h.name === 'a')!;
    expect(a.iface.addresses).toEqual(['192.168.1.2']);
    expect(a.defaultGateway).toBe('192.168.1.1');
    expect(t.routers[0].defaultGateway).toBe('203.0.113.1');
  });

  it('honours explicit addresses before allocating the rest', () => {
    const data = base();
    (data.hosts as Record<string, unknown>).b = { segment: 'lana' };
    (data.hosts.a as Record<string, unknown>).address = '192.168.1.3';
    const t = topologyFromData(data, 'x.yaml');
    expect(t.hosts.find((h) => h.name === 'a')!.iface.addresses).toEqual(['192.168.1.3']);
    expect(t.hosts.find((h) => h.name === 'b')!.iface.addresses).toEqual(['192.168.1.2']);
  });

  it('resolves presets with overrides and labels them', () => {
    const data = base();
    data.routers.nata.nat = { preset: 'symmetric', portAllocation: 'range', portRange: [40000, 40100] } as never;
    const r = topologyFromData(data, 'x.yaml').routers[0];
    expect(r.nat.mapping).toBe('address-and-port-dependent');
    expect(r.nat.portRange).toEqual([40000, 40100]);
    expect(r.natLabel).toBe('symmetric*');
  });

  it('names the file, the field and the expectation for schema errors', () => {
    const data = base();
    data.routers.nata.nat = { mapping: 'endpoint-independant' } as never;
    const msg = problemsOf(data);
    expect(msg).toContain('topologies/test.yaml: routers.nata.nat');
    expect(msg).toMatch(/endpoint-independent/);
  });

  it('rejects unknown fields', () => {
    const data = { ...base(), extra: 1 };
    expect(problemsOf(data)).toContain('topologies/test.yaml: (top level): unknown field "extra"');
  });

  it('rejects references to unknown segments, listing the known ones', () => {
    const data = base();
    data.hosts.a.segment = 'lanc';
    expect(problemsOf(data)).toContain('hosts.a.segment: references unknown segment "lanc" (known: internet, lana)');
  });

  it('requires a documentation range for the internet and private ranges for LANs', () => {
    const data = base();
    data.segments.internet.subnet = '8.8.8.0/24';
    data.segments.lana.subnet = '203.0.113.0/25';
    const msg = problemsOf(data);
    expect(msg).toContain('segments.internet.subnet: the internet must use a documentation range');
    expect(msg).toContain('segments.lana.subnet: a LAN must use a private range');
  });

  it('requires an internet segment', () => {
    const data = base();
    delete (data.segments as Record<string, unknown>).internet;
    expect(problemsOf(data)).toContain('segments: needs a segment named "internet"');
  });

  it('rejects a LAN without a router and a LAN with two', () => {
    const data = base();
    (data.segments as Record<string, unknown>).lanb = { subnet: '192.168.2.0/24' };
    expect(problemsOf(data)).toContain('segments.lanb: LAN "lanb" is inside no router');
    const two = base();
    (two.routers as Record<string, unknown>).natb = { outside: 'internet', inside: 'lana', nat: 'symmetric' };
    expect(problemsOf(two)).toContain('routers.natb.inside: segment "lana" is already inside router "nata"');
  });

  it('rejects router loops that never reach the internet', () => {
    const data = {
      segments: { internet: { subnet: '203.0.113.0/24' }, x: { subnet: '10.0.1.0/24' }, y: { subnet: '10.0.2.0/24' } },
      routers: { r1: { outside: 'x', inside: 'y', nat: 'full-cone' }, r2: { outside: 'y', inside: 'x', nat: 'full-cone' } },
    };
    expect(problemsOf(data)).toMatch(/routers form a loop/);
  });

  it('rejects reserved and badly formed names', () => {
    const data = base();
    (data.hosts as Record<string, unknown>).srv = { segment: 'lana' };
    expect(problemsOf(data)).toContain('hosts.srv: "srv" is reserved');
    const dashed = base();
    (dashed.hosts as Record<string, unknown>)['my-host'] = { segment: 'lana' };
    expect(problemsOf(dashed)).toMatch(/hosts\.my-host: key must be .*no dashes/);
  });

  it('rejects NAT combinations the kernel cannot build', () => {
    const data = base();
    data.routers.nata.nat = { mapping: 'address-dependent', portAllocation: 'preserve' } as never;
    expect(problemsOf(data)).toContain('routers.nata.nat.portAllocation: "preserve" needs mapping "endpoint-independent"');
  });

  it('rejects taken and out-of-subnet addresses', () => {
    const data = base();
    (data.hosts.a as Record<string, unknown>).address = '192.168.1.1';
    expect(problemsOf(data)).toContain('hosts.a.address: 192.168.1.1 is already taken in lana (its gateway)');
    (data.hosts.a as Record<string, unknown>).address = '10.9.9.9';
    expect(problemsOf(data)).toContain('hosts.a.address: "10.9.9.9" is not a usable address in lana');
    (data.hosts.a as Record<string, unknown>).address = undefined;
    (data.routers.nata as Record<string, unknown>).address = '203.0.113.2';
    expect(problemsOf(data)).toMatch(/routers\.nata\.address: 203\.0\.113\.2 is already taken in internet \(kept for the lab/);
  });

  it('one-to-one needs exactly one inside host', () => {
    const data = base();
    data.routers.nata.nat = 'one-to-one';
    (data.hosts as Record<string, unknown>).b = { segment: 'lana' };
    expect(problemsOf(data)).toContain('routers.nata.oneToOneHost: one-to-one NAT needs exactly one inside host');
  });

  it('reports an unknown preset name with the known ones', () => {
    expect(() => loadTopology('no-such-nat')).toThrow(/unknown topology "no-such-nat" \(known: .*full-cone/);
  });

  it('finds the routers between a host and the internet, nearest first', () => {
    const t = loadTopology('cgnat');
    expect(upstreamRouters(t, 'a').map((r) => r.name)).toEqual(['homea', 'cgn']);
    expect(upstreamRouters(t, 'm').map((r) => r.name)).toEqual(['cgn']);
    expect(upstreamRouters(loadTopology('open'), 'a')).toEqual([]);
  });
});
