import { describe, expect, it } from 'vitest';
import { NAT_PRESETS, type NatBehavior } from '../model/nat-behavior.js';
import { routerRuleset, type RouterRulesInput } from './ruleset.js';

function rules(nat: Partial<NatBehavior> & { preset?: keyof typeof NAT_PRESETS }, extra: Partial<RouterRulesInput> = {}): string {
  const { preset = 'port-restricted-cone', ...overrides } = nat;
  return routerRuleset({
    outside: { iface: 'wan0', address: '203.0.113.4' },
    inside: [{ iface: 'lan0' }],
    nat: { ...(NAT_PRESETS[preset] as NatBehavior), ...overrides },
    isolateInside: false,
    oneToOneAddress: null,
    hashSeed: 0xabc,
    ...extra,
  });
}

describe('router ruleset', () => {
  it('port-restricted cone is plain snat plus conntrack: no learned maps, nothing dnat-ed in', () => {
    const r = rules({ preset: 'port-restricted-cone' });
    expect(r).toContain('oifname "wan0" snat ip to 203.0.113.4');
    expect(r).not.toMatch(/map @|fully-random|jhash/);
    expect(r).toContain('iifname "wan0" drop');
  });

  it('always drops new inbound traffic to the router itself (else EIM degrades to symmetric)', () => {
    for (const preset of Object.keys(NAT_PRESETS) as (keyof typeof NAT_PRESETS)[]) {
      expect(rules({ preset })).toMatch(/chain input \{[^}]*iifname "wan0" ct state new,invalid drop/);
    }
  });

  it('full cone learns mappings by external port after srcnat and dnats inbound through them', () => {
    const r = rules({ preset: 'full-cone' });
    expect(r).toContain('type filter hook postrouting priority srcnat + 10');
    expect(r).toContain('update @mapped_port { ct reply proto-dst : ct original ip saddr . ct original proto-src }');
    expect(r).toContain('iifname "wan0" ip daddr 203.0.113.4 meta l4proto udp dnat ip to udp dport map @mapped_port');
    expect(r).toContain('iifname "wan0" ct status dnat accept');
  });

  it('restricted cone keys the learned map by external port and remote address', () => {
    const r = rules({ preset: 'restricted-cone' });
    expect(r).toContain('update @mapped_port_remote { ct reply proto-dst . ip daddr : ct original ip saddr . ct original proto-src }');
    expect(r).toContain('dnat ip to udp dport . ip saddr map @mapped_port_remote');
    expect(r).not.toContain('@mapped_port ');
  });

  it('symmetric uses fully-random ports above 1024', () => {
    expect(rules({ preset: 'symmetric' })).toContain('snat ip to 203.0.113.4:1024-65535 fully-random');
  });

  it('address-dependent mapping hashes the inside endpoint with the remote address, seeded per router', () => {
    const r = rules({ mapping: 'address-dependent', portAllocation: 'range', portRange: [20000, 29999] });
    expect(r).toContain('jhash ip saddr . th sport . ip daddr mod 10000 seed 0x00000abc offset 20000');
  });

  it('endpoint-independent mapping with random ports hashes the inside endpoint only', () => {
    const r = rules({ portAllocation: 'random' });
    expect(r).toContain('jhash ip saddr . th sport mod 64512');
    expect(r).not.toContain('ip daddr mod');
  });

  it('endpoint-independent mapping with a port range', () => {
    expect(rules({ portAllocation: 'range', portRange: [20000, 29999] })).toContain('meta l4proto { tcp, udp } snat ip to 203.0.113.4:20000-29999');
  });

  it('hairpinning dnats inside traffic to the public address and shows the sender as its public mapping', () => {
    const r = rules({ hairpinning: true });
    expect(r).toContain('iifname "lan0" ip daddr 203.0.113.4 meta l4proto udp dnat ip to udp dport map @mapped_port');
    expect(r).toContain('iifname "lan0" oifname "lan0" ct status dnat snat ip to 203.0.113.4');
    expect(rules({})).not.toContain('hairpin');
  });

  it('mapping lifetime sets both the learned-map timeout and a conntrack timeout policy', () => {
    const r = rules({ preset: 'full-cone', mappingLifetime: 15 });
    expect(r).toContain('policy = { unreplied : 15, replied : 15 }');
    expect(r).toContain('ct timeout set "udp_lifetime"');
    expect(r).toContain('timeout 15s');
    expect(rules({ preset: 'full-cone' })).toContain('timeout 120s');
  });

  it('firewall: blocks UDP first and lets TCP out only to allowed ports, dropping or rejecting', () => {
    const r = rules({ preset: 'firewalled' });
    const forward = r.slice(r.indexOf('chain forward'));
    expect(forward.indexOf('meta l4proto udp drop')).toBeLessThan(forward.indexOf('ct state established,related accept'));
    expect(r).toContain('iifname "lan0" oifname "wan0" meta l4proto tcp tcp dport != 443 drop');
    const rejecting = rules({ firewall: { blockUdp: true, allowTcpPorts: [443, 80], action: 'reject' } });
    expect(rejecting).toContain('meta l4proto udp reject with icmp type port-unreachable');
    expect(rejecting).toContain('tcp dport != { 443, 80 } reject with tcp reset');
  });

  it('one-to-one forwards everything to the inside host and maps it back to the public address', () => {
    const r = rules({ preset: 'one-to-one' }, { oneToOneAddress: '192.168.1.2' });
    expect(r).toContain('iifname "wan0" ip daddr 203.0.113.4 dnat ip to 192.168.1.2');
    expect(r).toContain('oifname "wan0" ip saddr 192.168.1.2 snat ip to 203.0.113.4');
  });

  it('isolated inside LANs cannot reach each other except through the hairpin', () => {
    const r = rules({ hairpinning: true }, { inside: [{ iface: 'lan0' }, { iface: 'lan1' }], isolateInside: true });
    expect(r).toContain('iifname . oifname { "lan0" . "lan1", "lan1" . "lan0" } drop');
    expect(r.indexOf('ct status dnat accept comment "hairpinned')).toBeLessThan(r.indexOf('iifname . oifname'));
  });

  it('is deterministic', () => {
    expect(rules({ preset: 'symmetric' })).toBe(rules({ preset: 'symmetric' }));
  });
});

describe('rebinding', () => {
  const outside = { iface: 'wan0', address: '203.0.113.4' };
  it('keeps the mapping kind and moves the ports: a new hash seed; fully random ports need no rule', async () => {
    const { rebindMappingRules } = await import('./ruleset.js');
    const { NAT_PRESETS } = await import('../model/nat-behavior.js');
    const [eim] = rebindMappingRules(outside, NAT_PRESETS['port-restricted-cone'], 0xabc);
    expect(eim).toBe('oifname "wan0" meta l4proto udp snat ip to 203.0.113.4 : jhash ip saddr . th sport mod 64512 seed 0x00000abc offset 1024 comment "rebound mapping"');
    expect(rebindMappingRules(outside, NAT_PRESETS['port-restricted-cone'], 0xabd)[0]).not.toBe(eim);
    expect(rebindMappingRules(outside, NAT_PRESETS.symmetric, 1)).toEqual([]);
  });
});
