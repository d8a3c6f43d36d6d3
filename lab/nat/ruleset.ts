/**
 * NatBehavior -> one nftables ruleset for a router. Pure: the same router gives the same text.
 *
 * How each RFC 4787 behaviour maps onto stock nftables (measured in ../shared/notes/nat-on-linux.md):
 * - endpoint-independent mapping: plain snat; the kernel reuses an inside endpoint's mapping.
 * - address-dependent mapping: snat to a port hashed from inside endpoint and remote address.
 * - address-and-port-dependent mapping: snat with fully-random ports.
 * - address-and-port-dependent filtering: conntrack alone (only replies come back in).
 * - endpoint-independent / address-dependent filtering: each outbound mapping is learned into a
 *   map after srcnat, and inbound packets to a learned port are dnat-ed through it.
 * - hairpinning: the same map applied to inside packets addressed to the router's public address.
 */
import type { NatBehavior } from '../model/nat-behavior.js';

export interface RouterRulesInput {
  outside: { iface: string; address: string };
  inside: { iface: string }[];
  nat: NatBehavior;
  isolateInside: boolean;
  /** Inside address of the one-to-one host (mode one-to-one only). */
  oneToOneAddress: string | null;
  /** Seed for the port hash of hashed allocations, so each lab gets its own ports. */
  hashSeed: number;
}

export const TABLE = 'lab';
/** Kernel default for an assured UDP flow; used for learned mappings when no lifetime is set. */
const DEFAULT_MAP_TIMEOUT_S = 120;

export function routerRuleset(input: RouterRulesInput): string {
  const { nat } = input;
  const wan = quote(input.outside.iface);
  const lans = set(input.inside.map((i) => quote(i.iface)));
  const W = input.outside.address;
  const learned = learnedMap(nat);
  const mapTimeout = `${nat.mappingLifetime ?? DEFAULT_MAP_TIMEOUT_S}s`;
  const usesPortMap = learned === 'by-port' || nat.hairpinning;

  const out: string[] = [`table ip ${TABLE} {`];
  if (nat.mappingLifetime !== null) {
    out.push(
      `  ct timeout udp_lifetime {`,
      `    protocol udp; l3proto ip;`,
      `    policy = { unreplied : ${nat.mappingLifetime}, replied : ${nat.mappingLifetime} }`,
      `  }`,
    );
  }
  if (usesPortMap) {
    out.push(`  map mapped_port {`, `    comment "external port -> inside endpoint"`, `    type inet_service : ipv4_addr . inet_service`, `    flags dynamic, timeout; timeout ${mapTimeout}`, `  }`);
  }
  if (learned === 'by-port-and-address') {
    out.push(`  map mapped_port_remote {`, `    comment "external port . remote address -> inside endpoint"`, `    type inet_service . ipv4_addr : ipv4_addr . inet_service`, `    flags dynamic, timeout; timeout ${mapTimeout}`, `  }`);
  }

  out.push(...chain('prerouting', 'type nat hook prerouting priority dstnat; policy accept;', [
    ...(input.oneToOneAddress ? [`iifname ${wan} ip daddr ${W} dnat ip to ${input.oneToOneAddress}`] : []),
    ...(learned === 'by-port' ? [`iifname ${wan} ip daddr ${W} meta l4proto udp dnat ip to udp dport map @mapped_port`] : []),
    ...(learned === 'by-port-and-address' ? [`iifname ${wan} ip daddr ${W} meta l4proto udp dnat ip to udp dport . ip saddr map @mapped_port_remote`] : []),
    ...(nat.hairpinning ? [`iifname ${lans} ip daddr ${W} meta l4proto udp dnat ip to udp dport map @mapped_port`] : []),
  ]));

  out.push(...chain('postrouting', 'type nat hook postrouting priority srcnat; policy accept;', [
    ...(nat.hairpinning ? [`iifname ${lans} oifname ${lans} ct status dnat snat ip to ${W} comment "hairpin: the sender appears as its public mapping"`] : []),
    ...(input.oneToOneAddress ? [`oifname ${wan} ip saddr ${input.oneToOneAddress} snat ip to ${W}`] : []),
    ...mappingRules(wan, W, nat, input.hashSeed),
  ]));

  const learnRules = [
    ...(usesPortMap ? [learnRule(wan, 'mapped_port', 'ct reply proto-dst')] : []),
    ...(learned === 'by-port-and-address' ? [learnRule(wan, 'mapped_port_remote', 'ct reply proto-dst . ip daddr')] : []),
  ];
  if (learnRules.length) {
    // After srcnat the conntrack reply tuple holds the external port the kernel chose.
    out.push(...chain('learn', 'type filter hook postrouting priority srcnat + 10; policy accept;', learnRules));
  }

  if (nat.mappingLifetime !== null) {
    out.push(...chain('lifetime', 'type filter hook prerouting priority filter; policy accept;', [`meta l4proto udp ct state new ct timeout set "udp_lifetime"`]));
  }

  out.push(...chain('forward', 'type filter hook forward priority filter; policy accept;', forwardRules(wan, lans, input)));
  out.push(...chain('input', 'type filter hook input priority filter; policy accept;', [
    // Without this, one unsolicited packet to the router leaves a conntrack entry that steals the
    // next mapping's port, and an endpoint-independent NAT behaves as a symmetric one.
    `iifname ${wan} ct state new,invalid drop comment "no unsolicited traffic to the router itself"`,
  ]));
  out.push('}');
  return out.join('\n') + '\n';
}

type Learned = 'none' | 'by-port' | 'by-port-and-address';

function learnedMap(nat: NatBehavior): Learned {
  if (nat.mode === 'one-to-one') return 'none';
  if (nat.filtering === 'endpoint-independent') return 'by-port';
  if (nat.filtering === 'address-dependent') return 'by-port-and-address';
  return 'none';
}

function learnRule(wan: string, map: string, key: string): string {
  return `oifname ${wan} meta l4proto udp ct direction original ct status snat update @${map} { ${key} : ct original ip saddr . ct original proto-src }`;
}

function mappingRules(wan: string, W: string, nat: NatBehavior, seed: number): string[] {
  const [lo, hi] = nat.portRange;
  const hashed = (fields: string) =>
    `oifname ${wan} meta l4proto { tcp, udp } snat ip to ${W} : jhash ${fields} mod ${hi - lo + 1} seed 0x${seed.toString(16).padStart(8, '0')} offset ${lo}`;
  const rest = `oifname ${wan} snat ip to ${W}`;
  switch (nat.mapping) {
    case 'endpoint-independent':
      if (nat.portAllocation === 'preserve') return [rest];
      if (nat.portAllocation === 'range') return [`oifname ${wan} meta l4proto { tcp, udp } snat ip to ${W}:${lo}-${hi}`, rest];
      return [hashed('ip saddr . th sport'), rest];
    case 'address-dependent':
      return [hashed('ip saddr . th sport . ip daddr'), rest];
    case 'address-and-port-dependent':
      return [`oifname ${wan} meta l4proto { tcp, udp } snat ip to ${W}:${lo}-${hi} fully-random`, rest];
  }
}

function forwardRules(wan: string, lans: string, input: RouterRulesInput): string[] {
  const { firewall } = input.nat;
  const rules: string[] = [];
  if (firewall?.blockUdp) {
    rules.push(`meta l4proto udp ${firewall.action === 'reject' ? 'reject with icmp type port-unreachable' : 'drop'} comment "firewall: no UDP"`);
  }
  rules.push('ct state established,related accept', 'ct state invalid drop');
  if (firewall && firewall.allowTcpPorts !== 'any') {
    const ports = firewall.allowTcpPorts.length ? `tcp dport != ${set(firewall.allowTcpPorts.map(String))} ` : '';
    const verdict = firewall.action === 'reject' ? 'reject with tcp reset' : 'drop';
    rules.push(`iifname ${lans} oifname ${wan} meta l4proto tcp ${ports}${verdict} comment "firewall: TCP out only to allowed ports"`);
  }
  if (input.isolateInside && input.inside.length > 1) {
    const pairs = input.inside.flatMap((a) => input.inside.filter((b) => b !== a).map((b) => `${quote(a.iface)} . ${quote(b.iface)}`));
    rules.push(
      `iifname ${lans} oifname ${lans} ct status dnat accept comment "hairpinned traffic may cross"`,
      `iifname . oifname { ${pairs.join(', ')} } drop comment "inside LANs are isolated"`,
    );
  }
  rules.push(`iifname ${wan} ct status dnat accept comment "inbound the NAT maps in"`, `iifname ${wan} drop comment "nothing else comes in"`);
  return rules;
}

function chain(name: string, header: string, rules: string[]): string[] {
  return [`  chain ${name} {`, `    ${header}`, ...rules.map((r) => `    ${r}`), '  }'];
}

function quote(iface: string): string {
  return `"${iface}"`;
}

function set(items: string[]): string {
  return items.length === 1 ? items[0] : `{ ${items.join(', ')} }`;
}

/**
 * A rebinding (scenario event `rebind`): the UDP mapping rules the router uses from its `n`-th
 * rebinding on, to insert ahead of its own. The mapping stays of its kind (an endpoint-independent
 * NAT stays one) but its ports move: preserved and hashed ports are hashed again with a new seed;
 * fully random ports need nothing new (the flushed state alone gives new ones).
 */
export function rebindMappingRules(outside: { iface: string; address: string }, nat: NatBehavior, seed: number): string[] {
  if (nat.mapping === 'address-and-port-dependent') return [];
  const [lo, hi] = nat.portAllocation === 'preserve' ? [1024, 65535] : nat.portRange;
  const fields = nat.mapping === 'address-dependent' ? 'ip saddr . th sport . ip daddr' : 'ip saddr . th sport';
  return [`oifname ${quote(outside.iface)} meta l4proto udp snat ip to ${outside.address} : jhash ${fields} mod ${hi - lo + 1} seed 0x${seed.toString(16).padStart(8, '0')} offset ${lo} comment "rebound mapping"`];
}
