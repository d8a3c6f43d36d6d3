import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../model/topology-file.js';
import { planNetns } from '../netns/plan.js';
import { planDocker, wiringScript } from './plan.js';

describe('docker plan', () => {
  const t = loadTopology('cgnat');
  const plan = planDocker(t, 'abc123');
  const nodes = new Map(plan.containers.map((c, i) => [c.node, 1000 + i]));
  const { script, jobs } = wiringScript(plan, { switch: 999, nodes });

  it('a container per node and the switch, named by lab and node; no Docker network', () => {
    expect(plan.containers.map((c) => c.name)).toEqual(plan.network.nodes.map((n) => `wrl-abc123-${n.node}`));
    expect(plan.containers.filter((c) => c.router).map((c) => c.node).sort()).toEqual(t.routers.map((r) => r.name).sort());
    expect(plan.switchContainer).toBe('wrl-abc123-sw');
    expect(plan).not.toHaveProperty('networks');
  });

  it("wires with the netns backend's plan, its namespaces attached to the containers' by PID", () => {
    const netns = planNetns(t, 'abc123');
    expect(plan.wiring).toEqual(netns);
    expect(script).toContain('netns attach wrl-abc123-sw 999');
    for (const [node, pid] of nodes) expect(script).toContain(`netns attach wrl-abc123-${node} ${pid}`);
    expect(script).not.toContain('netns add');
    for (const line of netns.create.filter((l) => !l.startsWith('netns '))) expect(script).toContain(line);
    for (const c of netns.configure) expect(script).toContain(`run configure-${c.ns} ip -n ${c.ns} -batch -`);
  });

  it('routers are programmed through `ip netns exec` (the image has no nsenter)', () => {
    expect(script).toContain('run router-cgn ip netns exec wrl-abc123-cgn nft -f -');
    expect(script).not.toContain('nsenter');
    expect(jobs.map((j) => j.name)).toContain('router-homea');
  });

  it('says which namespace has no container', () => {
    expect(() => wiringScript(plan, { switch: 999, nodes: new Map() })).toThrow(/no running container for namespace wrl-abc123-/);
  });
});
