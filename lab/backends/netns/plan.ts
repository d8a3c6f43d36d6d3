/**
 * Topology -> the exact iproute2 batches and nftables rulesets that build it as network namespaces.
 * Pure, so the plan is unit-tested without root; netns-backend.ts only executes it.
 *
 * Shape: one namespace per node, plus one "switch" namespace holding a bridge per segment. Every
 * link is a veth pair created directly inside its two namespaces, so nothing ever appears in the
 * host's own namespace.
 */
import type { Topology } from '../../model/topology.js';
import { planNodes, VOID_MAC } from '../common/node-plan.js';

export { VOID_MAC };
export const NETNS_PREFIX = 'wrl';

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

export function planNetns(topology: Topology, labId: string): NetnsPlan {
  const sw = switchNs(labId);
  const network = planNodes(topology, labId);
  const namespaces = [sw, ...network.nodes.map((n) => nsName(labId, n.node))];
  const create = namespaces.map((ns) => `netns add ${ns}`);
  const swLines: string[] = [];

  // Links are what the kernel builds slowly: a segment with two members is one veth pair between
  // them; larger segments get a bridge in the switch namespace and a veth pair per member.
  let port = 0;
  for (const seg of network.segments) {
    if (seg.members.length === 2) {
      const [x, y] = seg.members;
      create.push(`link add name ${x.iface} netns ${nsName(labId, x.node)} type veth peer name ${y.iface} netns ${nsName(labId, y.node)}`);
      continue;
    }
    create.push(`link add name ${bridgeName(seg.name)} netns ${sw} type bridge`);
    swLines.push(`link set ${bridgeName(seg.name)} addrgenmode none`, `link set ${bridgeName(seg.name)} up`);
    for (const m of seg.members) {
      const p = `p${port++}`;
      create.push(`link add name ${p} netns ${sw} type veth peer name ${m.iface} netns ${nsName(labId, m.node)}`);
      swLines.push(`link set ${p} master ${bridgeName(seg.name)}`, `link set ${p} up`);
    }
  }

  const configure: NetnsPlan['configure'] = [{ ns: sw, lines: swLines }];
  for (const node of network.nodes) {
    const lines = ['link set lo up'];
    for (const iface of node.interfaces) {
      // No IPv6 link-local addresses: ICE would otherwise gather fe80:: candidates that cross LANs.
      lines.push(`link set ${iface.name} addrgenmode none`, `link set ${iface.name} up`);
      for (const addr of iface.addresses) lines.push(`addr add ${addr}/${iface.prefix} dev ${iface.name}`);
    }
    const v = node.voidNeighbour;
    if (v) lines.push(`neigh add ${v.address} lladdr ${v.mac} dev ${v.dev} nud permanent`);
    lines.push(`route add default via ${node.defaultRoute.via} dev ${node.defaultRoute.dev}`);
    configure.push({ ns: nsName(labId, node.node), lines });
  }

  const routers = network.nodes.flatMap((n) => (n.ruleset === null ? [] : [{ node: n.node, ns: nsName(labId, n.node), ruleset: n.ruleset }]));
  return { labId, namespaces, create, configure, routers, destroy: [...namespaces].reverse().map((ns) => `netns del ${ns}`) };
}

/** One ip batch of a handover, and the namespace it runs in (null: where the namespaces are named from). */
export interface HandoverStep {
  ns: string | null;
  lines: string[];
}

/**
 * A handover as ip batches: the old interface down without its address, a new veth pair from the
 * segment's bridge in the switch namespace into the host (`iface`, port `port`), the default route
 * through it. Shared by netns (run from the machine) and docker (run in the switch container).
 */
export function handoverSteps(labId: string, h: { host: string; old: string; iface: string; port: string; segment: string; address: string; prefix: number; gateway: string }): HandoverStep[] {
  const hostNs = nsName(labId, h.host);
  const sw = switchNs(labId);
  return [
    { ns: hostNs, lines: [`addr flush dev ${h.old}`, `link set ${h.old} down`] },
    { ns: null, lines: [`link add name ${h.port} netns ${sw} type veth peer name ${h.iface} netns ${hostNs}`] },
    { ns: sw, lines: [`link set ${h.port} master ${bridgeName(h.segment)}`, `link set ${h.port} up`] },
    { ns: hostNs, lines: [`link set ${h.iface} addrgenmode none`, `link set ${h.iface} up`, `addr add ${h.address}/${h.prefix} dev ${h.iface}`, `route replace default via ${h.gateway} dev ${h.iface}`] },
  ];
}
