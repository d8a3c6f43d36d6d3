/** The lab's containers: the nodes and the switch that wires them, what they mount, finding and removing them. */
import type Dockerode from 'dockerode';
import { resolve } from 'node:path';
import { projectRoot } from '../../util/paths.js';
import type { UpOptions } from '../backend.js';
import { stateRoot } from '../state.js';
import { LABEL, LABEL_LAB, LABEL_NODE, LABEL_ROLE, type DockerContainerPlan } from './plan.js';

/**
 * The same paths as on the machine: the lab's own files (bundles, media) and the given folders
 * (a scenario's, its project: UpOptions.folders) read-only, lab state writable; and the lab's
 * resolv.conf and hosts (UpOptions.hostFiles) over the container's own, which Docker then leaves alone.
 */
export function labBinds(opts: Pick<UpOptions, 'folders' | 'hostFiles'> = {}): string[] {
  const state = stateRoot();
  const folders: string[] = [];
  for (const f of [projectRoot, ...(opts.folders ?? [])].map((d) => resolve(d))) {
    // A folder inside one already mounted is there already (a second mount of one path is refused).
    if (![...folders, state].some((m) => f === m || f.startsWith(`${m}/`))) folders.push(f);
  }
  return [
    ...folders.map((f) => `${f}:${f}:ro`),
    `${state}:${state}`,
    ...(opts.hostFiles ? [`${opts.hostFiles.resolvConf}:/etc/resolv.conf:ro`, `${opts.hostFiles.hosts}:/etc/hosts:ro`] : []),
  ];
}

/** A host's container, started with no Docker network (the lab wires it: plan.ts); returns its PID on the machine. */
export async function createNode(docker: Dockerode, image: string, c: DockerContainerPlan, labels: Record<string, string>, binds: string[]): Promise<number> {
  return startContainer(docker, {
    name: c.name,
    Image: image,
    Cmd: ['sleep', 'infinity'],
    Hostname: c.node,
    Labels: { ...labels, [LABEL_NODE]: c.node, [LABEL_ROLE]: 'node' },
    HostConfig: {
      NetworkMode: 'none',
      Binds: binds,
      CapAdd: ['NET_ADMIN', 'NET_RAW'],
      Sysctls: {
        'net.ipv4.ip_forward': '0',
        'net.ipv6.conf.all.disable_ipv6': '1',
        'net.ipv6.conf.default.disable_ipv6': '1',
      },
    },
  });
}

/**
 * The lab's switch: its own network namespace (no Docker network) holds the segments' bridges,
 * and it holds the routers' and the services host's namespaces (plan.ts). It sees the machine's
 * PIDs and has the capabilities to attach the host containers' namespaces by PID (SYS_PTRACE to
 * open them, SYS_ADMIN to bind-mount them and enter them, NET_ADMIN to make links there); not
 * `Privileged` (a daemon without every capability refuses that). /proc/sys is writable (no
 * read-only system paths, as `--security-opt systempaths=unconfined`) so that a router's
 * namespace can turn forwarding on: under `ip netns exec`, /proc/sys/net is that namespace's.
 * It runs `sleep`, the lab's ip/nft batches and the programs of its namespaces' nodes.
 */
export async function createSwitch(docker: Dockerode, image: string, name: string, labels: Record<string, string>, binds: string[]): Promise<number> {
  return startContainer(docker, {
    name,
    Image: image,
    Cmd: ['sleep', 'infinity'],
    Hostname: 'switch',
    Labels: { ...labels, [LABEL_NODE]: 'switch', [LABEL_ROLE]: 'switch' },
    HostConfig: {
      NetworkMode: 'none',
      PidMode: 'host',
      CapAdd: ['NET_ADMIN', 'SYS_ADMIN', 'SYS_PTRACE'],
      // Docker's AppArmor profile (where the machine has AppArmor) forbids mount: `ip netns` needs it.
      SecurityOpt: ['apparmor=unconfined'],
      ReadonlyPaths: [],
      Binds: binds,
      Sysctls: { 'net.ipv6.conf.all.disable_ipv6': '1', 'net.ipv6.conf.default.disable_ipv6': '1' },
    },
  });
}

async function startContainer(docker: Dockerode, spec: Dockerode.ContainerCreateOptions): Promise<number> {
  const container = await docker.createContainer(spec);
  await container.start();
  const pid = (await container.inspect()).State.Pid;
  if (!pid) throw new Error(`container ${spec.name} started but has no process`);
  return pid;
}

/** Lab containers on the daemon (of the given labs, default every lab), nodes and processes alike. */
export async function labContainers(docker: Dockerode, labIds?: string[]): Promise<Dockerode.ContainerInfo[]> {
  const filters = labIds?.length === 1 ? { label: [`${LABEL_LAB}=${labIds[0]}`] } : { label: [LABEL] };
  return (await docker.listContainers({ all: true, filters })).filter((c) => !labIds || labIds.includes(c.Labels[LABEL_LAB]));
}

/** Force-removes them; every process in them goes with them. */
export async function removeContainers(docker: Dockerode, containers: Dockerode.ContainerInfo[], onError: (err: { statusCode?: number }) => void = ignoreGone): Promise<void> {
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(onError)));
}

/** 404: already gone; 409: Docker is already removing it (network removal waits for that). */
export function ignoreGone(err: { statusCode?: number }): void {
  if (err.statusCode !== 404 && err.statusCode !== 409) throw err;
}
