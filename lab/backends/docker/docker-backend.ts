/**
 * The same topologies with Docker. Each host is a container of the lab's image with no Docker
 * network; a switch container holds a bridge per segment in its own network namespace, and the
 * routers and the services host as network namespaces, and wires it all with the netns backend's
 * plan (plan.ts), so the daemon allocates no subnet and labs of one address plan run side by side.
 * Routers get the same generated nftables rules as on netns; processes run through `docker exec`
 * in the host containers, or in the switch container inside the node's namespace.
 * Everything carries the lab id in its name and labels, so `clean` finds leftovers after a crash.
 *
 * Jobs: client.ts (the daemon), containers.ts, exec.ts and processes.ts (running things in
 * nodes), docker-lab.ts (a lab that is up), plan.ts (pure: what to create and the wiring script),
 * networks.ts (Docker networks left by older versions, for `clean`).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { LabError } from '../../model/errors.js';
import type { Topology } from '../../model/topology.js';
import { newId } from '../../util/ids.js';
import { Teardown, buildOrUnwind } from '../../util/teardown.js';
import type { Backend, LabSummary, StartedLab, UpOptions } from '../backend.js';
import { createLabDir, labDir, listLabIds, readLabState, removeLabDir, writeLabState } from '../state.js';
import { checkDaemon, connect, imageSource } from './client.js';
import { createNode, createSwitch, labBinds, labContainers, removeContainers } from './containers.js';
import { DockerLab } from './docker-lab.js';
import { DOCKER_CAPABILITIES } from './entry.js';
import { ensureImage } from './image.js';
import { execIn } from './exec.js';
import { labNetworks, removeNetwork } from './networks.js';
import { LABEL, LABEL_LAB, planDocker, wiringScript, type DockerPlan } from './plan.js';
import { CREATED_MARKER, bringUpFailure } from '../netns/script.js';
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
    // A dead lab's containers are removed first (reap.ts), beside the image check.
    const [image, , reaper] = await Promise.all([ensureImage(docker, imageSource(), opts.onStep), reapAbandonedLabs(this), reaperLabels(docker)]);
    const plan = planDocker(topology, labId);
    const labels = { [LABEL]: '1', [LABEL_LAB]: labId, ...reaper };
    const teardown = new Teardown();
    return buildOrUnwind(teardown, async () => {
      const dir = createLabDir(labId);
      writeLabState({ id: labId, backend: 'docker', topology, createdAt: new Date().toISOString(), ownerPid: process.pid, userNamespace: false });
      const binds = labBinds(opts);
      const lab = new DockerLab(labId, topology, plan, dir, docker, image, binds);
      teardown.push('take the half-built lab down', () => lab.down());
      opts.onStep?.(`starting ${plan.containers.length} host containers and the lab's switch (routers and services host inside it)`);
      const [switchPid, ...pids] = await allSettled([createSwitch(docker, image, plan.switchContainer, labels, binds), ...plan.containers.map((c) => createNode(docker, image, c, labels, binds))]);
      opts.onStep?.('wiring links, addresses, routes and NAT rules from the switch');
      // The routers' and the services host's namespaces exist once the script says so: processes may start there from then on.
      await wire(docker, plan, dir, { switch: switchPid, nodes: new Map(plan.containers.map((c, i) => [c.node, pids[i]])) }, () => opts.onCreated?.(lab));
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
async function allSettled<T>(calls: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(calls);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/** One script in the switch container wires the whole lab (plan.ts wiringScript): one exec. */
async function wire(docker: Dockerode, plan: DockerPlan, dir: string, pids: { switch: number; nodes: Map<string, number> }, onCreated: () => void): Promise<void> {
  const { script, jobs } = wiringScript(plan, pids);
  let created = false;
  const file = join(dir, 'wire.sh');
  writeFileSync(file, script, { mode: 0o600 });
  const result = await execIn(docker, plan.switchContainer, 'switch', ['sh', '-c', 'cd "$1" && exec sh wire.sh', 'sh', dir], {
    check: false,
    purpose: 'wire the lab',
    onStdout: (chunk) => void (!created && chunk.includes(CREATED_MARKER) && ((created = true), onCreated())),
  });
  if (result.code !== 0) throw new LabError('backend', bringUpFailure(jobs, dir, result.stderr || result.stdout, file));
}
