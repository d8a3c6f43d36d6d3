/**
 * Topology -> the lab's containers and the wiring between them. Pure. Every node is a container
 * started with no Docker network at all (`--network none`); the lab wires them itself, exactly as
 * the netns backend wires its namespaces (same veth pairs, bridges, addresses, routes, rulesets:
 * netns/plan.ts), from a switch container that holds the segments' bridges in its own network
 * namespace. No daemon subnet is involved, so labs of one address plan do not collide, and nothing
 * of a lab's network is in the machine's own namespace.
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
  router: boolean;
}

export interface DockerPlan {
  labId: string;
  /** The container whose network namespace holds the bridges, and from which the lab wires the rest. */
  switchContainer: string;
  containers: DockerContainerPlan[];
  /** What each node ends up with (interfaces, routes, rulesets), shared with the netns backend. */
  network: LabNetworkPlan;
  /** The netns backend's plan for the same topology: its namespace names are attached to the containers' namespaces. */
  wiring: NetnsPlan;
}

export function containerName(labId: string, node: string): string {
  return `wrl-${labId}-${node}`;
}

export function planDocker(topology: Topology, labId: string): DockerPlan {
  const network = planNodes(topology, labId);
  const containers = network.nodes.map((node) => ({ node: node.node, name: containerName(labId, node.node), router: node.kind === 'router' }));
  return { labId, switchContainer: containerName(labId, 'sw'), containers, network, wiring: planNetns(topology, labId) };
}

/**
 * The wiring script, run in the switch container (which sees the machine's PIDs): the netns
 * backend's bring-up with each `netns add` replaced by `netns attach` to the running container's
 * namespace (the switch's own for the switch's name). The names live in the switch container's
 * mount namespace only, and go with it.
 */
export function wiringScript(plan: DockerPlan, pids: { switch: number; nodes: Map<string, number> }): { script: string; jobs: ScriptJob[] } {
  const byNs = new Map([[switchNs(plan.labId), pids.switch], ...[...pids.nodes].map(([node, pid]) => [nsName(plan.labId, node), pid] as const)]);
  const pidOf = (ns: string): number => {
    const pid = byNs.get(ns);
    if (!pid) throw new Error(`no running container for namespace ${ns}`);
    return pid;
  };
  const create = plan.wiring.create.map((line) => {
    const m = /^netns add (\S+)$/.exec(line);
    return m ? `netns attach ${m[1]} ${pidOf(m[1])}` : line;
  });
  // Forwarding is the router container's sysctl (containers.ts): /proc/sys is read-only in a container.
  return bringUpScript({ ...plan.wiring, create }, (ns) => `ip netns exec ${ns} nft -f -`);
}
