/** The lab's node containers: created on their networks, then given the node plan's interfaces, routes and rules. */
import type Dockerode from 'dockerode';
import { resolve } from 'node:path';
import { projectRoot } from '../../util/paths.js';
import type { UpOptions } from '../backend.js';
import type { CommandResult, RunOptions } from '../../util/run-command.js';
import type { NodePlan } from '../common/node-plan.js';
import { stateRoot } from '../state.js';
import { LABEL, LABEL_LAB, LABEL_NODE, LABEL_ROLE, containerNetworkBatch, parseIpAddr, type DockerContainerPlan } from './plan.js';

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

export async function createNode(docker: Dockerode, image: string, c: DockerContainerPlan, labels: Record<string, string>, binds: string[]): Promise<void> {
  const [first, ...rest] = c.endpoints;
  const container = await docker.createContainer({
    name: c.name,
    Image: image,
    Cmd: ['sleep', 'infinity'],
    Hostname: c.node,
    Labels: { ...labels, [LABEL_NODE]: c.node, [LABEL_ROLE]: 'node' },
    HostConfig: {
      NetworkMode: first.network,
      Binds: binds,
      CapAdd: ['NET_ADMIN', 'NET_RAW'],
      Sysctls: {
        'net.ipv4.ip_forward': c.router ? '1' : '0',
        'net.ipv6.conf.all.disable_ipv6': '1',
        'net.ipv6.conf.default.disable_ipv6': '1',
      },
    },
    NetworkingConfig: { EndpointsConfig: { [first.network]: { IPAMConfig: { IPv4Address: first.address } } } },
  });
  for (const e of rest) await docker.getNetwork(e.network).connect({ Container: c.name, EndpointConfig: { IPAMConfig: { IPv4Address: e.address } } });
  await container.start();
}

type Exec = (node: string, argv: string[], opts?: RunOptions) => Promise<CommandResult>;

/** Renames Docker's interfaces to the lab's, adds routes and the neighbour, programs a router's NAT. */
export async function configureNode(exec: Exec, node: NodePlan): Promise<void> {
  const shown = await exec(node.node, ['ip', '-o', '-4', 'addr', 'show'], { purpose: `read the interfaces of ${node.node}` });
  const batch = containerNetworkBatch(node, parseIpAddr(shown.stdout));
  await exec(node.node, ['ip', '-batch', '-'], { input: batch.join('\n') + '\n', purpose: `configure ${node.node}` });
  if (node.ruleset !== null) await exec(node.node, ['nft', '-f', '-'], { input: node.ruleset, purpose: `program router ${node.node}` });
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
