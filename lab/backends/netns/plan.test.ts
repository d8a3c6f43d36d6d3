import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../model/topology-file.js';
import { parseNsName, planNetns, VOID_MAC } from './plan.js';

describe('netns plan', () => {
  const t = loadTopology('cgnat');
  const plan = planNetns(t, 'abc123');

  it('one namespace per node plus the switch, all carrying the lab id', () => {
    expect(plan.namespaces[0]).toBe('wrl-abc123-sw');
    expect(plan.namespaces).toHaveLength(1 + t.routers.length + t.hosts.length);
    for (const ns of plan.namespaces) expect(parseNsName(ns)?.labId).toBe('abc123');
  });

  it('creates every link directly inside lab namespaces, never in the host namespace', () => {
    const links = plan.create.filter((l) => l.startsWith('link add'));
    for (const line of links) {
      expect(line).toMatch(/^link add name \S+ netns wrl-abc123-\w+ type (bridge|veth peer name \S+ netns wrl-abc123-\w+)$/);
    }
  });

  it('never names an interface veth*, tun* or tap* (werift ignores those) and stays within IFNAMSIZ', () => {
    const names = plan.create.flatMap((l) => [...l.matchAll(/name (\S+)/g)].map((m) => m[1]));
    for (const n of names) {
      expect(n).not.toMatch(/^(veth|tun|tap)/);
      expect(n.length).toBeLessThanOrEqual(15);
    }
  });

  it('gives internet nodes a default route to a void gateway, LAN nodes their router', () => {
    const srv = plan.configure.find((c) => c.ns === 'wrl-abc123-srv')!;
    expect(srv.lines).toContain(`neigh add 203.0.113.1 lladdr ${VOID_MAC} dev eth0 nud permanent`);
    expect(srv.lines).toContain('route add default via 203.0.113.1 dev eth0');
    const homea = plan.configure.find((c) => c.ns === 'wrl-abc123-homea')!;
    expect(homea.lines).toContain('route add default via 100.64.0.1 dev wan0');
    const a = plan.configure.find((c) => c.ns === 'wrl-abc123-a')!;
    expect(a.lines).toContain('route add default via 192.168.1.1 dev eth0');
    expect(a.lines).toContain('link set eth0 addrgenmode none');
  });

  it('programs one ruleset per router and removes every namespace on destroy', () => {
    expect(plan.routers.map((r) => r.node).sort()).toEqual(['cgn', 'homea', 'homeb']);
    expect(plan.destroy.sort()).toEqual(plan.namespaces.map((ns) => `netns del ${ns}`).sort());
  });

  it('parses only lab namespace names', () => {
    expect(parseNsName('wrl-abc123-nata')).toEqual({ labId: 'abc123', node: 'nata' });
    expect(parseNsName('wrl-abc123')).toBeNull();
    expect(parseNsName('docker-1')).toBeNull();
  });
});
