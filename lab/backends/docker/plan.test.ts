import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../model/topology-file.js';
import { planNetns } from '../netns/plan.js';
import { nodePlace, planDocker, wiringScript } from './plan.js';

describe('docker plan', () => {
  const t = loadTopology('cgnat');
  const plan = planDocker(t, 'abc123');
  const nodes = new Map(plan.containers.map((c, i) => [c.node, 1000 + i]));
  const { script, jobs } = wiringScript(plan, { switch: 999, nodes });

  it('a container per host other than the services host, and the switch, named by lab and node; no Docker network', () => {
    const hosts = t.hosts.map((h) => h.name).filter((h) => h !== t.services.host);
    expect(plan.containers.map((c) => c.node).sort()).toEqual(hosts.sort());
    expect(plan.containers.map((c) => c.name)).toEqual(plan.containers.map((c) => `wrl-abc123-${c.node}`));
    expect(plan.switchContainer).toBe('wrl-abc123-sw');
    expect(plan).not.toHaveProperty('networks');
  });

  it("the routers and the services host are namespaces of the switch, by the netns backend's names", () => {
    expect(plan.switchNodes.map((n) => n.node).sort()).toEqual([...t.routers.map((r) => r.name), t.services.host].sort());
    for (const n of plan.switchNodes) expect(n.ns).toBe(`wrl-abc123-${n.node}`);
    expect(nodePlace(plan, 'cgn')).toEqual({ container: 'wrl-abc123-sw', wrap: ['ip', 'netns', 'exec', 'wrl-abc123-cgn'] });
    expect(nodePlace(plan, t.services.host)).toEqual({ container: 'wrl-abc123-sw', wrap: ['ip', 'netns', 'exec', `wrl-abc123-${t.services.host}`] });
    expect(nodePlace(plan, plan.containers[0].node)).toEqual({ container: plan.containers[0].name, wrap: [] });
  });

  it("wires with the netns backend's plan: host containers' namespaces attached by PID, the switch nodes' added in the switch", () => {
    const netns = planNetns(t, 'abc123');
    expect(plan.wiring).toEqual(netns);
    expect(script).toContain('netns attach wrl-abc123-sw 999');
    for (const [node, pid] of nodes) expect(script).toContain(`netns attach wrl-abc123-${node} ${pid}`);
    for (const n of plan.switchNodes) expect(script).toContain(`netns add ${n.ns}\n`);
    expect(script.match(/netns (add|attach) /g)).toHaveLength(netns.namespaces.length);
    for (const line of netns.create.filter((l) => !l.startsWith('netns '))) expect(script).toContain(line);
    for (const c of netns.configure) expect(script).toContain(`run configure-${c.ns} ip -n ${c.ns} -batch -`);
  });

  it('routers get forwarding and their ruleset through `ip netns exec` in the switch (the image has no nsenter)', () => {
    expect(script).toContain("run router-cgn ip netns exec wrl-abc123-cgn sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward && exec nft -f -'");
    expect(script).not.toContain('nsenter');
    expect(jobs.map((j) => j.name)).toContain('router-homea');
  });

  it('says which namespace has no container', () => {
    expect(() => wiringScript(plan, { switch: 999, nodes: new Map() })).toThrow(/no running container for namespace wrl-abc123-/);
  });
});
