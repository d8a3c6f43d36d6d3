/**
 * Topology -> the lab's containers and the wiring between them. Pure. The lab wires its nodes
 * itself, exactly as the netns backend wires its namespaces (same veth pairs, bridges, addresses,
 * routes, rulesets: netns/plan.ts), from a switch container that holds the segments' bridges in
 * its own network namespace; no Docker network is involved (`--network none`), so labs of one
 * address plan do not collide, and nothing of a lab's network is in the machine's own namespace.
 *
 * Only hosts where peers and users' programs run are containers. The routers and the services
 * host run only the lab's own programs (nft, conntrack, coturn, the services process, tcpdump):
 * they are plain network namespaces inside the switch container (`ip netns add` there), which
 * halves what Docker starts and removes per lab.
 */
import type { Topology } from '../../model/topology.js';
import { planNodes, type LabNetworkPlan } from '../common/node-plan.js';
import { nsName, planNetns, switchNs, type NetnsPlan } from '../netns/plan.js';
import { bringUpScript, type ScriptJob } from '../netns/script.js';

export const LABEL = 'webrtc-lab';
export const LABEL_LAB = 'webrtc-lab.lab';
export const LABEL_NODE = 'webrtc-lab.node';
export const LABEL_ROLE = 'webrtc-lab.role';

export interface DockerContainerPlan {
  node: string;
  name: string;
}

export interface DockerPlan {
  labId: string;
  /** The container whose network namespace holds the bridges, and from which the lab wires the rest. */
  switchContainer: string;
  /** Hosts other than the services host: a container each. */
  containers: DockerContainerPlan[];
  /** Routers and the services host: a network namespace each inside the switch container, by the netns backend's name. */
  switchNodes: { node: string; ns: string }[];
  /** What each node ends up with (interfaces, routes, rulesets), shared with the netns backend. */
  network: LabNetworkPlan;
  /** The netns backend's plan for the same topology: its namespace names are attached to the containers' namespaces. */
  wiring: NetnsPlan;
}

/** Where a node's commands run: its container, or the switch container inside the node's namespace. */
export interface NodePlace {
  container: string;
  /** Put before a command to run it in the node's network: empty in a container of its own. */
  wrap: string[];
}

export function containerName(labId: string, node: string): string {
  return `wrl-${labId}-${node}`;
}

export function planDocker(topology: Topology, labId: string): DockerPlan {
  const network = planNodes(topology, labId);
  const inSwitch = (n: LabNetworkPlan['nodes'][number]) => n.kind === 'router' || n.node === topology.services.host;
  const containers = network.nodes.filter((n) => !inSwitch(n)).map((n) => ({ node: n.node, name: containerName(labId, n.node) }));
  const switchNodes = network.nodes.filter(inSwitch).map((n) => ({ node: n.node, ns: nsName(labId, n.node) }));
  return { labId, switchContainer: containerName(labId, 'sw'), containers, switchNodes, network, wiring: planNetns(topology, labId) };
}

export function nodePlace(plan: DockerPlan, node: string): NodePlace {
  const ns = plan.switchNodes.find((n) => n.node === node)?.ns;
  return ns ? { container: plan.switchContainer, wrap: ['ip', 'netns', 'exec', ns] } : { container: containerName(plan.labId, node), wrap: [] };
}

/**
 * The wiring script, run in the switch container (which sees the machine's PIDs): the netns
 * backend's bring-up, where each host container's namespace is `netns attach`ed by PID (the
 * switch's own for the switch's name) and the switch nodes' are created there. The names live in
 * the switch container's mount namespace only, and go with it.
 */
export function wiringScript(plan: DockerPlan, pids: { switch: number; nodes: Map<string, number> }): { script: string; jobs: ScriptJob[] } {
  const byNs = new Map([[switchNs(plan.labId), pids.switch], ...[...pids.nodes].map(([node, pid]) => [nsName(plan.labId, node), pid] as const)]);
  const own = new Set(plan.switchNodes.map((n) => n.ns));
  const pidOf = (ns: string): number => {
    const pid = byNs.get(ns);
    if (!pid) throw new Error(`no running container for namespace ${ns}`);
    return pid;
  };
  const create = plan.wiring.create.map((line) => {
    const m = /^netns add (\S+)$/.exec(line);
    return m && !own.has(m[1]) ? `netns attach ${m[1]} ${pidOf(m[1])}` : line;
  });
  // Every router is a namespace of the switch, whose /proc/sys is writable (containers.ts createSwitch).
  return bringUpScript({ ...plan.wiring, create }, (ns) => `ip netns exec ${ns} sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward && exec nft -f -'`);
}
