/**
 * The same topologies as containers on Docker networks. Each segment is a Docker bridge network
 * that gives the host no address on it and masquerades nothing (so no route out); each host and router is a container
 * (routers get NET_ADMIN and the same generated nftables rules as the netns backend); every process
 * the lab starts in a node is a container of its own sharing that node's network namespace.
 * Everything carries the lab id in its name and labels, so `clean` finds leftovers after a crash.
 *
 * Jobs: client.ts (the daemon), networks.ts, containers.ts, exec.ts and processes.ts (running
 * things in nodes), docker-lab.ts (a lab that is up), plan.ts (pure: what to create).
 */
import type Dockerode from 'dockerode';
import { LabError } from '../../model/errors.js';
import type { Topology } from '../../model/topology.js';
import { newId } from '../../util/ids.js';
import { Teardown, buildOrUnwind } from '../../util/teardown.js';
import type { Backend, LabSummary, StartedLab, UpOptions } from '../backend.js';
import { createLabDir, labDir, listLabIds, readLabState, removeLabDir, writeLabState } from '../state.js';
import { checkDaemon, connect, imageSource } from './client.js';
import { configureNode, createNode, labBinds, labContainers, removeContainers } from './containers.js';
import { DockerLab } from './docker-lab.js';
import { DOCKER_CAPABILITIES } from './entry.js';
import { ensureImage } from './image.js';
import { createNetwork, labNetworks, refuseOverlaps, removeNetwork } from './networks.js';
import { LABEL, LABEL_LAB, planDocker } from './plan.js';
import { reaperLabels } from './reaper.js';
import { reapAbandonedLabs } from '../reap.js';

export { imageSource };

export class DockerBackend implements Backend {
  readonly name = 'docker';
  readonly capabilities = DOCKER_CAPABILITIES;
  private docker: Dockerode | null = null;

  private async client(): Promise<Dockerode> {
    this.docker ??= await connect();
    return this.docker;
  }

  async checkAvailable(): Promise<void> {
    await checkDaemon(await this.client());
  }

  async up(topology: Topology, opts: UpOptions = {}): Promise<StartedLab> {
    const docker = await this.client();
    const labId = opts.labId ?? newId();
    const image = await ensureImage(docker, imageSource(), opts.onStep);
    const plan = planDocker(topology, labId);
    // A dead lab's networks would be "in the way": remove labs whose owner died first (reap.ts).
    await reapAbandonedLabs(this);
    await refuseOverlaps(docker, plan, topology.name);
    const labels = { [LABEL]: '1', [LABEL_LAB]: labId, ...(await reaperLabels(docker)) };
    const teardown = new Teardown();
    return buildOrUnwind(teardown, async () => {
      const dir = createLabDir(labId);
      writeLabState({ id: labId, backend: 'docker', topology, createdAt: new Date().toISOString(), ownerPid: process.pid, userNamespace: false });
      const binds = labBinds(opts);
      const lab = new DockerLab(labId, topology, plan, dir, docker, image, binds);
      teardown.push('take the half-built lab down', () => lab.down());
      opts.onStep?.(`creating ${plan.networks.length} networks and ${plan.containers.length} containers`);
      await allSettled(plan.networks.map((n) => createNetwork(docker, n, labels)));
      await allSettled(plan.containers.map((c) => createNode(docker, image, c, labels, binds)));
      opts.onCreated?.(lab);
      opts.onStep?.('configuring interfaces, routes and NAT rules');
      await Promise.all(plan.network.nodes.map((n) => configureNode((...a) => lab.exec(...a), n)));
      return lab;
    });
  }

  async attach(labId: string): Promise<StartedLab> {
    const state = readLabState(labId);
    if (!state || state.backend !== 'docker') {
      throw new LabError('not-found', `no docker lab with id "${labId}"`, 'see: npm run lab -- list');
    }
    const docker = await this.client();
    // A lab found again may start new processes: its image must be there, as for up().
    const image = await ensureImage(docker, imageSource());
    return new DockerLab(labId, state.topology, planDocker(state.topology, labId), labDir(labId), docker, image, labBinds());
  }

  async list(): Promise<LabSummary[]> {
    const ids = new Set(listLabIds().filter((id) => readLabState(id)?.backend === 'docker'));
    try {
      for (const c of await labContainers(await this.client())) ids.add(c.Labels[LABEL_LAB]);
    } catch {
      // no daemon: only state folders tell
    }
    return [...ids].sort().map((id) => {
      const state = readLabState(id);
      return { id, backend: 'docker', topology: state?.topology.name ?? null, complete: state !== null };
    });
  }

  async clean(labIds?: string[]): Promise<string[]> {
    const removed: string[] = [];
    let docker: Dockerode | null = null;
    try {
      docker = await this.client();
      await docker.ping();
    } catch {
      docker = null;
    }
    if (docker) {
      // Listed together: after a kill -9 the reaper has about 2 s, and each call waits on the daemon.
      const [containers, networks] = await Promise.all([labContainers(docker, labIds), labNetworks(docker, labIds)]);
      await removeContainers(docker, containers, () => {});
      removed.push(...containers.map((c) => `container ${c.Names[0]?.replace(/^\//, '') ?? c.Id}`));
      const gone = await Promise.all(networks.map((n) => removeNetwork(docker!, n.Id).then(() => true, () => false)));
      removed.push(...networks.filter((_, i) => gone[i]).map((n) => `network ${n.Name}`));
    }
    for (const id of listLabIds()) {
      if (labIds && !labIds.includes(id)) continue;
      if (readLabState(id)?.backend !== 'docker') continue;
      removeLabDir(id);
      removed.push(`state folder of lab ${id}`);
    }
    return removed;
  }
}

/**
 * Like Promise.all, but waits for every call to finish before failing: a half-built lab is only
 * unwound completely when nothing is still being created behind the teardown's back.
 */
async function allSettled(calls: Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(calls)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
