import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../model/topology-file.js';
import { planNetns } from '../netns/plan.js';
import { planDocker } from '../docker/plan.js';
import { nodePlan, planNodes, usedAddresses, VOID_MAC } from './node-plan.js';

describe('node plan (shared by every backend)', () => {
  const t = loadTopology('cgnat');
  const plan = planNodes(t, 'abc123');

  it('one node per router and host, routers first, upstream interface first', () => {
    expect(plan.nodes.map((n) => n.node)).toEqual([...t.routers.map((r) => r.name), ...t.hosts.map((h) => h.name)]);
    const homea = nodePlan(plan, 'homea');
    expect(homea.interfaces.map((i) => [i.name, i.segment, i.addresses[0]])).toEqual([
      ['wan0', 'carrier', '100.64.0.2'],
      ['lan0', 'lana', '192.168.1.1'],
    ]);
    expect(homea.defaultRoute).toEqual({ via: '100.64.0.1', dev: 'wan0' });
  });

  it('nodes that route to the void gateway get its neighbour; LAN nodes route to their router', () => {
    expect(nodePlan(plan, 'srv').voidNeighbour).toEqual({ address: t.voidGateway, mac: VOID_MAC, dev: 'eth0' });
    expect(nodePlan(plan, 'srv').interfaces[0].addresses).toEqual(['203.0.113.2', '203.0.113.3']);
    expect(nodePlan(plan, 'a').voidNeighbour).toBeNull();
    expect(nodePlan(plan, 'a').defaultRoute).toEqual({ via: '192.168.1.1', dev: 'eth0' });
  });

  it('routers carry their ruleset, seeded per lab and router; hosts none', () => {
    expect(nodePlan(plan, 'a').ruleset).toBeNull();
    const cgn = nodePlan(plan, 'cgn').ruleset!;
    expect(cgn).toMatch(/^table ip lab \{/);
    expect(cgn).toContain('"wan0"');
    expect(planNodes(t, 'abc123').nodes.map((n) => n.ruleset)).toEqual(plan.nodes.map((n) => n.ruleset));
  });

  it('segments list their members in node order', () => {
    const lana = plan.segments.find((s) => s.name === 'lana')!;
    expect(lana.members).toEqual([
      { node: 'homea', iface: 'lan0', address: '192.168.1.1' },
      { node: 'a', iface: 'eth0', address: '192.168.1.2' },
    ]);
    expect(usedAddresses(plan).has('203.0.113.3')).toBe(true);
  });

  it('netns and docker build the same network from it: same rulesets, same routes, same addresses', () => {
    const netns = planNetns(t, 'abc123');
    const docker = planDocker(t, 'abc123');
    expect(netns.routers.map((r) => [r.node, r.ruleset])).toEqual(plan.nodes.filter((n) => n.ruleset).map((n) => [n.node, n.ruleset]));
    expect(docker.network).toEqual(plan);
    expect(docker.wiring).toEqual(netns);
    for (const node of plan.nodes) {
      const configure = netns.configure.find((c) => c.ns === `wrl-abc123-${node.node}`)!.lines;
      expect(configure).toContain(`route add default via ${node.defaultRoute.via} dev ${node.defaultRoute.dev}`);
      for (const i of node.interfaces) for (const a of i.addresses) expect(configure).toContain(`addr add ${a}/${i.prefix} dev ${i.name}`);
    }
  });

  it('names the nodes a lab has when asked for one it has not', () => {
    expect(() => nodePlan(plan, 'zz')).toThrow(`lab abc123 has no node "zz" (it has: ${plan.nodes.map((n) => n.node).join(', ')})`);
  });
});
