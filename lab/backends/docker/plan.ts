/**
 * Topology -> Docker networks and containers, and the ip batch that finishes each container's
 * network once it runs. Pure. Interfaces are found by the address Docker gave them and renamed to
 * the lab's names (wan0, lan0...): Docker does not guarantee eth0/eth1 order.
 */
import { formatAddress, nthHost, overlaps, parseCidr } from '../../model/ipv4.js';
import type { Topology } from '../../model/topology.js';
import { planNodes, usedAddresses, type LabNetworkPlan, type NodePlan } from '../common/node-plan.js';

export const LABEL = 'webrtc-lab';
export const LABEL_LAB = 'webrtc-lab.lab';
export const LABEL_NODE = 'webrtc-lab.node';
export const LABEL_ROLE = 'webrtc-lab.role';

export interface DockerNetworkPlan {
  segment: string;
  name: string;
  subnet: string;
  /** Docker insists on a gateway; the lab keeps it off the wire (inhibit_ipv4) and unused. */
  gateway: string;
  bridge: string;
}

export interface DockerContainerPlan {
  node: string;
  name: string;
  router: boolean;
  /** One endpoint per network, with the address Docker assigns; the first is given at create. */
  endpoints: { network: string; address: string; iface: string }[];
}

export interface DockerPlan {
  labId: string;
  networks: DockerNetworkPlan[];
  containers: DockerContainerPlan[];
  /** What each node ends up with (interfaces, routes, rulesets), shared with the netns backend. */
  network: LabNetworkPlan;
}

export function containerName(labId: string, node: string): string {
  return `wrl-${labId}-${node}`;
}

export function planDocker(topology: Topology, labId: string): DockerPlan {
  const network = planNodes(topology, labId);
  const used = usedAddresses(network);
  const networks = topology.segments.map((seg, k) => {
    const cidr = parseCidr(seg.subnet)!;
    const size = 2 ** (32 - cidr.prefix);
    let gateway: string | null = null;
    for (let n = size - 2; n > 1 && !gateway; n--) {
      const a = formatAddress(nthHost(cidr, n)!);
      if (!used.has(a) && a !== seg.gateway && a !== topology.voidGateway) gateway = a;
    }
    if (!gateway) throw new Error(`segment ${seg.name} (${seg.subnet}) has no free address left for Docker's network gateway`);
    return { segment: seg.name, name: `wrl-${labId}-${seg.name}`, subnet: seg.subnet, gateway, bridge: `wrl${labId}${k}`.slice(0, 15) };
  });
  const netOf = (segment: string) => networks.find((n) => n.segment === segment)!.name;
  const containers = network.nodes.map((node) => ({
    node: node.node,
    name: containerName(labId, node.node),
    router: node.kind === 'router',
    endpoints: node.interfaces.map((i) => ({ network: netOf(i.segment), address: i.addresses[0], iface: i.name })),
  }));
  return { labId, networks, containers, network };
}

/**
 * The ip batch for one running container: rename Docker's interfaces to the lab's names (found by
 * address), add extra addresses, the void gateway's neighbour and the default route.
 */
export function containerNetworkBatch(node: NodePlan, ifaceByAddress: Map<string, string>): string[] {
  const lines = ['link set lo up'];
  for (const iface of node.interfaces) {
    const current = ifaceByAddress.get(iface.addresses[0]);
    if (!current) throw new Error(`${node.node}: no interface has address ${iface.addresses[0]} (Docker gave: ${[...ifaceByAddress].map(([a, i]) => `${i}=${a}`).join(', ')})`);
    if (current !== iface.name) lines.push(`link set dev ${current} down`, `link set dev ${current} name ${iface.name}`, `link set dev ${iface.name} up`);
    for (const extra of iface.addresses.slice(1)) lines.push(`addr add ${extra}/${iface.prefix} dev ${iface.name}`);
  }
  const v = node.voidNeighbour;
  if (v) lines.push(`neigh replace ${v.address} lladdr ${v.mac} dev ${v.dev} nud permanent`);
  lines.push(`route replace default via ${node.defaultRoute.via} dev ${node.defaultRoute.dev}`);
  return lines;
}

/** Parses `ip -o -4 addr show`: address -> interface name. */
export function parseIpAddr(output: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of output.split('\n')) {
    const m = /^\d+:\s+(\S+?)(?:@\S+)?\s+inet\s+([\d.]+)\//.exec(line);
    if (m) map.set(m[2], m[1]);
  }
  return map;
}

/** A Docker network that already exists on the daemon, as far as address overlap goes. */
export interface ExistingNetwork {
  name: string;
  subnets: string[];
  /** The lab that owns it, when it is a lab network. */
  labId: string | null;
}

/**
 * Docker refuses a network whose subnet overlaps any network it already has ("Pool overlaps"),
 * so the lab says which network is in the way before creating anything.
 */
export function subnetConflicts(plan: DockerPlan, existing: ExistingNetwork[]): string[] {
  const found: string[] = [];
  for (const n of plan.networks) {
    const mine = parseCidr(n.subnet)!;
    for (const other of existing) {
      const hit = other.subnets.find((s) => parseCidr(s) && overlaps(mine, parseCidr(s)!));
      if (!hit) continue;
      const owner = other.labId ? `lab ${other.labId}'s network ${other.name}` : `Docker network "${other.name}"`;
      found.push(`segment ${n.segment} (${n.subnet}) overlaps ${owner} (${hit})`);
    }
  }
  return found;
}
