/** The typed, resolved network a backend builds: segments, routers and hosts with every address decided. */
import type { Impairment } from './impairment.js';
import type { NatBehavior } from './nat-behavior.js';

export type SegmentKind = 'internet' | 'lan';

export interface Segment {
  name: string;
  kind: SegmentKind;
  /** CIDR text, e.g. "192.168.1.0/24". */
  subnet: string;
  prefix: number;
  /** Address hosts on this segment route through: the router's inside address, or the internet's void gateway. */
  gateway: string;
}

export interface NodeInterface {
  /** Interface name inside the node (eth0, wan0, lan0...): never veth*, which werift ignores. */
  name: string;
  segment: string;
  addresses: string[];
  prefix: number;
}

export interface HostNode {
  kind: 'host';
  name: string;
  iface: NodeInterface;
  defaultGateway: string;
  /** 'services' is the lab's own host on the internet (coturn, signaling). */
  role: 'peer' | 'services';
}

export interface RouterNode {
  kind: 'router';
  name: string;
  outside: NodeInterface;
  inside: NodeInterface[];
  defaultGateway: string;
  nat: NatBehavior;
  /** Where the NatBehavior came from, for reports: a preset name or "custom". */
  natLabel: string;
  /** Inside segments cannot reach each other directly (client isolation). */
  isolateInside: boolean;
  /** For one-to-one NAT: the inside host that owns the outside address. */
  oneToOneHost: string | null;
}

export type LabNode = HostNode | RouterNode;

export interface Topology {
  name: string;
  description: string;
  /** File it was read from, or "generated". */
  source: string;
  segments: Segment[];
  routers: RouterNode[];
  hosts: HostNode[];
  /** The internet's default gateway: a neighbour that exists nowhere, so off-lab packets vanish as on the real internet. */
  voidGateway: string;
  /** The services host and its two public addresses (RFC 5780 needs two). */
  services: { host: string; addresses: [string, string] };
  /** Link impairments of the topology file (defaults for its scenarios); absent: none. */
  impairments?: Impairment[];
}

export const INTERNET = 'internet';
export const SERVICES_HOST = 'srv';
/** Names the lab keeps for itself. */
export const RESERVED_NODE_NAMES = [SERVICES_HOST, 'sw'];

export function findNode(t: Topology, name: string): LabNode | undefined {
  return t.hosts.find((h) => h.name === name) ?? t.routers.find((r) => r.name === name);
}

export function routerServing(t: Topology, segment: string): RouterNode | undefined {
  return t.routers.find((r) => r.inside.some((i) => i.segment === segment));
}

/** Routers between a host and the internet, nearest first. */
export function upstreamRouters(t: Topology, hostName: string): RouterNode[] {
  const host = t.hosts.find((h) => h.name === hostName);
  if (!host) return [];
  const chain: RouterNode[] = [];
  let segment = host.iface.segment;
  for (let router = routerServing(t, segment); router; router = routerServing(t, segment)) {
    if (chain.includes(router)) break;
    chain.push(router);
    segment = router.outside.segment;
  }
  return chain;
}

export function primaryAddress(node: LabNode): string {
  return node.kind === 'host' ? node.iface.addresses[0] : node.outside.addresses[0];
}

export function peerHosts(t: Topology): HostNode[] {
  return t.hosts.filter((h) => h.role === 'peer');
}
