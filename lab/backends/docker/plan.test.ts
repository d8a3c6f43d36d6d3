import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../model/topology-file.js';
import { nodePlan } from '../common/node-plan.js';
import { containerNetworkBatch, parseIpAddr, planDocker, subnetConflicts } from './plan.js';

describe('docker plan', () => {
  const t = loadTopology('cgnat');
  const plan = planDocker(t, 'abc123');

  it('one network per segment, with a gateway address the lab never uses', () => {
    expect(plan.networks.map((n) => n.name).sort()).toEqual(['wrl-abc123-carrier', 'wrl-abc123-internet', 'wrl-abc123-lana', 'wrl-abc123-lanb']);
    const internet = plan.networks.find((n) => n.segment === 'internet')!;
    expect(internet.gateway).toBe('203.0.113.254');
    const used = [...t.hosts.flatMap((h) => h.iface.addresses), ...t.routers.flatMap((r) => [...r.outside.addresses, ...r.inside.flatMap((i) => i.addresses)]), t.voidGateway];
    for (const n of plan.networks) expect(used).not.toContain(n.gateway);
    for (const n of plan.networks) expect(n.bridge.length).toBeLessThanOrEqual(15);
  });

  it('a container per node, endpoints by address with the interface name the lab wants', () => {
    const homea = plan.containers.find((c) => c.node === 'homea')!;
    expect(homea.router).toBe(true);
    expect(homea.endpoints).toEqual([
      { network: 'wrl-abc123-carrier', address: '100.64.0.2', iface: 'wan0' },
      { network: 'wrl-abc123-lana', address: '192.168.1.1', iface: 'lan0' },
    ]);
  });

  it('renames interfaces found by address, whatever order Docker gave them', () => {
    const homea = nodePlan(plan.network, 'homea');
    const ifaces = parseIpAddr('1: lo    inet 127.0.0.1/8 scope host lo\n17: eth0@if18    inet 192.168.1.1/24 brd 192.168.1.255 scope global eth0\n19: eth1@if20    inet 100.64.0.2/24 brd 100.64.0.255 scope global eth1\n');
    expect(ifaces.get('100.64.0.2')).toBe('eth1');
    const batch = containerNetworkBatch(homea, ifaces);
    expect(batch).toEqual([
      'link set lo up',
      'link set dev eth1 down', 'link set dev eth1 name wan0', 'link set dev wan0 up',
      'link set dev eth0 down', 'link set dev eth0 name lan0', 'link set dev lan0 up',
      'route replace default via 100.64.0.1 dev wan0',
    ]);
  });

  it('the services host gets its second address and the void gateway', () => {
    const batch = containerNetworkBatch(nodePlan(plan.network, 'srv'), new Map([['203.0.113.2', 'eth0']]));
    expect(batch).toContain('addr add 203.0.113.3/24 dev eth0');
    expect(batch).toContain('route replace default via 203.0.113.1 dev eth0');
    expect(batch.some((l) => l.startsWith('neigh replace 203.0.113.1'))).toBe(true);
  });

  it('says which address is missing', () => {
    expect(() => containerNetworkBatch(nodePlan(plan.network, 'a'), new Map([['10.9.9.9', 'eth0']]))).toThrow('a: no interface has address 192.168.1.2 (Docker gave: eth0=10.9.9.9)');
  });

  it("names every existing network whose subnet overlaps a segment, and whose lab owns it", () => {
    const conflicts = subnetConflicts(plan, [
      { name: 'bridge', subnets: ['192.168.0.0/20'], labId: null },
      { name: 'wrl-ffffff-internet', subnets: ['203.0.113.0/24'], labId: 'ffffff' },
      { name: 'host', subnets: [], labId: null },
      { name: 'other', subnets: ['10.9.0.0/16'], labId: null },
    ]);
    expect(conflicts).toEqual([
      "segment internet (203.0.113.0/24) overlaps lab ffffff's network wrl-ffffff-internet (203.0.113.0/24)",
      'segment lana (192.168.1.0/24) overlaps Docker network "bridge" (192.168.0.0/20)',
      'segment lanb (192.168.2.0/24) overlaps Docker network "bridge" (192.168.0.0/20)',
    ]);
    expect(subnetConflicts(plan, [{ name: 'bridge', subnets: ['172.17.0.0/16'], labId: null }])).toEqual([]);
  });
});
