/** The lab's Docker networks: one bridge per segment, checked for overlaps first, removed with retries. */
import { setTimeout as sleep } from 'node:timers/promises';
import type Dockerode from 'dockerode';
import { LabError } from '../../model/errors.js';
import { LABEL, LABEL_LAB, subnetConflicts, type DockerNetworkPlan, type DockerPlan } from './plan.js';

export async function refuseOverlaps(docker: Dockerode, plan: DockerPlan, topologyName: string): Promise<void> {
  const existing = (await docker.listNetworks()).map((n) => ({
    name: n.Name,
    subnets: (n.IPAM?.Config ?? []).map((c) => c.Subnet).filter((s): s is string => Boolean(s)),
    labId: n.Labels?.[LABEL_LAB] ?? null,
  }));
  const conflicts = subnetConflicts(plan, existing);
  if (!conflicts.length) return;
  const otherLab = existing.some((n) => n.labId);
  throw new LabError(
    'backend',
    `Docker cannot create the networks of topology ${topologyName}: it refuses subnets that overlap a network it already has.\n  ${conflicts.join('\n  ')}`,
    otherLab
      ? 'one Docker daemon holds one lab of a given address plan at a time: take the other lab down (npm run lab -- down <id>; one left by a crash: npm run lab -- clean <id>), or use the netns backend for parallel labs'
      : "give Docker's own networks other addresses (dockerd --bip=<cidr>, or --bridge=none, or default-address-pools in daemon.json) or remove the network",
  );
}

export async function createNetwork(docker: Dockerode, n: DockerNetworkPlan, labels: Record<string, string>): Promise<void> {
  await docker.createNetwork({
    Name: n.name,
    Driver: 'bridge',
    // Not `internal`: Docker's isolation rules for internal networks also drop the traffic
    // lab routers forward between segments (bridged frames meet iptables through
    // br_netfilter). The host bridge gets no address instead (inhibit_ipv4) and nothing is
    // masqueraded, so no lab container can reach the machine or anything past it.
    Internal: false,
    CheckDuplicate: true,
    IPAM: { Config: [{ Subnet: n.subnet, Gateway: n.gateway }] },
    Options: {
      'com.docker.network.bridge.inhibit_ipv4': 'true',
      'com.docker.network.bridge.enable_ip_masquerade': 'false',
      'com.docker.network.bridge.name': n.bridge,
    },
    Labels: labels,
  });
}

/** Lab networks on the daemon (of the given labs, default every lab). */
export async function labNetworks(docker: Dockerode, labIds?: string[]): Promise<Dockerode.NetworkInspectInfo[]> {
  return (await docker.listNetworks({ filters: { label: [LABEL] } })).filter((n) => !labIds || labIds.includes(n.Labels?.[LABEL_LAB] ?? ''));
}

/**
 * A network outlives its containers for a moment (Docker releases endpoints asynchronously, and a
 * container still being removed keeps its own), and a network left behind blocks every later lab
 * with the same subnet: retry for a few seconds, force-detaching whatever is still attached.
 */
export async function removeNetwork(docker: Dockerode, name: string): Promise<void> {
  const network = docker.getNetwork(name);
  for (let attempt = 1; ; attempt++) {
    try {
      return await network.remove();
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return;
      if (attempt === 10) throw err;
    }
    const attached = Object.keys(((await network.inspect().catch(() => ({}))) as { Containers?: Record<string, unknown> }).Containers ?? {});
    await Promise.all(attached.map((id) => network.disconnect({ Container: id, Force: true }).catch(() => {})));
    await sleep(100 * attempt);
  }
}
