/**
 * Topology -> the exact iproute2 batches and nftables rulesets that build it as network namespaces.
 * Pure, so the plan is unit-tested without root; netns-backend.ts only executes it.
 *
 * Shape: one namespace per node, plus one "switch" namespace holding a bridge per segment. Every
 * link is a veth pair created directly inside its two namespaces, so nothing ever appears in the
 * host's own namespace.
 */
import { hash32 } from '../../util/ids.js';
import { routerRuleset } from '../../nat/ruleset.js';
import type { LabNode, NodeInterface, Topology } from '../../model/topology.js';

export const NETNS_PREFIX = 'wrl';
/** A MAC that no lab interface has: the internet's void gateway resolves to it, so off-lab packets vanish. */
export const VOID_MAC = '02:00:5e:00:53:ff';

export interface NetnsPlan {
  labId: string;
  /** Every namespace, switch first. */
  namespaces: string[];
  /** ip -batch lines for the host's namespace: create the namespaces and the veth pairs inside them. */
  create: string[];
  /** ip -batch lines to run inside each namespace: bridges, addresses, routes. */
  configure: { ns: string; lines: string[] }[];
  /** Routers: forwarding on, then this nftables ruleset. */
  routers: { node: string; ns: string; ruleset: string }[];
  /** ip -batch lines for the host's namespace that remove it all. */
  destroy: string[];
}

export function nsName(labId: string, node: string): string {
  return `${NETNS_PREFIX}-${labId}-${node}`;
}

export function switchNs(labId: string): string {
  return nsName(labId, 'sw');
}

export function parseNsName(ns: string): { labId: string; node: string } | null {
  const m = new RegExp(`^${NETNS_PREFIX}-([0-9a-f]{4,16})-([a-z][a-z0-9]*)$`).exec(ns);
  return m ? { labId: m[1], node: m[2] } : null;
}

function bridgeName(segment: string): string {
  return `br-${segment}`;
}

function nodeInterfaces(node: LabNode): NodeInterface[] {
  return node.kind === 'host' ? [node.iface] : [node.outside, ...node.inside];
}

interface Attachment {
  node: LabNode;
  iface: NodeInterface;
}

export function planNetns(topology: Topology, labId: string): NetnsPlan {
  const sw = switchNs(labId);
  const nodes: LabNode[] = [...topology.routers, ...topology.hosts];
  const namespaces = [sw, ...nodes.map((n) => nsName(labId, n.name))];
  const create = namespaces.map((ns) => `netns add ${ns}`);
  const swLines: string[] = [];

  // Links are what the kernel builds slowly: a segment with two members is one veth pair between
  // them; larger segments get a bridge in the switch namespace and a veth pair per member.
  const attachments = new Map<string, Attachment[]>();
  for (const node of nodes) {
    for (const iface of nodeInterfaces(node)) attachments.set(iface.segment, [...(attachments.get(iface.segment) ?? []), { node, iface }]);
  }
  let port = 0;
  for (const seg of topology.segments) {
    const members = attachments.get(seg.name) ?? [];
    if (members.length === 2) {
      const [x, y] = members;
      create.push(`link add name ${x.iface.name} netns ${nsName(labId, x.node.name)} type veth peer name ${y.iface.name} netns ${nsName(labId, y.node.name)}`);
      continue;
    }
    create.push(`link add name ${bridgeName(seg.name)} netns ${sw} type bridge`);
    swLines.push(`link set ${bridgeName(seg.name)} addrgenmode none`, `link set ${bridgeName(seg.name)} up`);
    for (const m of members) {
      const p = `p${port++}`;
      create.push(`link add name ${p} netns ${sw} type veth peer name ${m.iface.name} netns ${nsName(labId, m.node.name)}`);
      swLines.push(`link set ${p} master ${bridgeName(seg.name)}`, `link set ${p} up`);
    }
  }

  const configure: NetnsPlan['configure'] = [{ ns: sw, lines: swLines }];
  for (const node of nodes) {
    const lines = ['link set lo up'];
    for (const iface of nodeInterfaces(node)) {
      // No IPv6 link-local addresses: ICE would otherwise gather fe80:: candidates that cross LANs.
      lines.push(`link set ${iface.name} addrgenmode none`, `link set ${iface.name} up`);
      for (const addr of iface.addresses) lines.push(`addr add ${addr}/${iface.prefix} dev ${iface.name}`);
    }
    const upstream = node.kind === 'host' ? node.iface : node.outside;
    if (node.defaultGateway === topology.voidGateway) {
      lines.push(`neigh add ${topology.voidGateway} lladdr ${VOID_MAC} dev ${upstream.name} nud permanent`);
    }
    lines.push(`route add default via ${node.defaultGateway} dev ${upstream.name}`);
    configure.push({ ns: nsName(labId, node.name), lines });
  }

  const hostAddress = (name: string | null) => topology.hosts.find((h) => h.name === name)?.iface.addresses[0] ?? null;
  const routers = topology.routers.map((r) => ({
    node: r.name,
    ns: nsName(labId, r.name),
    ruleset: routerRuleset({
      outside: { iface: r.outside.name, address: r.outside.addresses[0] },
      inside: r.inside.map((i) => ({ iface: i.name })),
      nat: r.nat,
      isolateInside: r.isolateInside,
      oneToOneAddress: hostAddress(r.oneToOneHost),
      hashSeed: hash32(`${labId}/${r.name}`),
    }),
  }));

  return { labId, namespaces, create, configure, routers, destroy: [...namespaces].reverse().map((ns) => `netns del ${ns}`) };
}
