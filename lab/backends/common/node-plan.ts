/**
 * Topology -> what every node of a lab must end up with, whatever builds it: its interfaces and
 * addresses, its default route, the internet's void-gateway neighbour, and for routers the
 * nftables ruleset. Pure. Each backend turns this into its own commands (netns: iproute2 batches
 * in namespaces; docker: networks, endpoints and a batch per container), so both build the same
 * network.
 */
import { routerRuleset } from '../../nat/ruleset.js';
import type { LabNode, NodeInterface, Topology } from '../../model/topology.js';
import { hash32 } from '../../util/ids.js';

/** A MAC that no lab interface has: the internet's void gateway resolves to it, so off-lab packets vanish. */
export const VOID_MAC = '02:00:5e:00:53:ff';

export interface InterfacePlan {
  /** Name inside the node (eth0, wan0, lan0): never veth*, tun*, tap* (werift ignores those). */
  name: string;
  segment: string;
  /** The first is the one the segment's peers know the node by; more are extra addresses. */
  addresses: string[];
  prefix: number;
}

export interface NodePlan {
  node: string;
  kind: LabNode['kind'];
  /** The upstream interface first (a host's only one; a router's outside), then a router's inside ones. */
  interfaces: InterfacePlan[];
  defaultRoute: { via: string; dev: string };
  /** A permanent neighbour entry for the internet's void gateway, on nodes that route to it. */
  voidNeighbour: { address: string; mac: string; dev: string } | null;
  /** Routers: forwarding on, then this ruleset; null for hosts. */
  ruleset: string | null;
}

export interface SegmentPlan {
  name: string;
  subnet: string;
  /** Every node interface on it, in node order. */
  members: { node: string; iface: string; address: string }[];
}

export interface LabNetworkPlan {
  labId: string;
  /** Routers first, then hosts (the order backends create them in). */
  nodes: NodePlan[];
  segments: SegmentPlan[];
}

export function nodeInterfaces(node: LabNode): NodeInterface[] {
  return node.kind === 'host' ? [node.iface] : [node.outside, ...node.inside];
}

export function planNodes(topology: Topology, labId: string): LabNetworkPlan {
  const hostAddress = (name: string | null) => topology.hosts.find((h) => h.name === name)?.iface.addresses[0] ?? null;
  const nodes = [...topology.routers, ...topology.hosts].map((node): NodePlan => {
    const interfaces = nodeInterfaces(node).map(({ name, segment, addresses, prefix }) => ({ name, segment, addresses: [...addresses], prefix }));
    const upstream = interfaces[0].name;
    return {
      node: node.name,
      kind: node.kind,
      interfaces,
      defaultRoute: { via: node.defaultGateway, dev: upstream },
      voidNeighbour: node.defaultGateway === topology.voidGateway ? { address: topology.voidGateway, mac: VOID_MAC, dev: upstream } : null,
      ruleset:
        node.kind === 'router'
          ? routerRuleset({
              outside: { iface: node.outside.name, address: node.outside.addresses[0] },
              inside: node.inside.map((i) => ({ iface: i.name })),
              nat: node.nat,
              isolateInside: node.isolateInside,
              oneToOneAddress: hostAddress(node.oneToOneHost),
              // Per lab and router, so two labs (or two routers) do not hash to the same ports.
              hashSeed: hash32(`${labId}/${node.name}`),
            })
          : null,
    };
  });
  const segments = topology.segments.map((seg) => ({
    name: seg.name,
    subnet: seg.subnet,
    members: nodes.flatMap((n) => n.interfaces.filter((i) => i.segment === seg.name).map((i) => ({ node: n.node, iface: i.name, address: i.addresses[0] }))),
  }));
  return { labId, nodes, segments };
}

/** Every address the lab's nodes hold (Docker needs one for its gateway that is none of these). */
export function usedAddresses(plan: LabNetworkPlan): Set<string> {
  return new Set(plan.nodes.flatMap((n) => n.interfaces.flatMap((i) => i.addresses)));
}

export function nodePlan(plan: LabNetworkPlan, node: string): NodePlan {
  const found = plan.nodes.find((n) => n.node === node);
  if (!found) throw new Error(`lab ${plan.labId} has no node "${node}" (it has: ${plan.nodes.map((n) => n.node).join(', ')})`);
  return found;
}
