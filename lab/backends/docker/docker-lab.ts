/** A lab that is up on Docker: commands and processes in its containers, and its teardown. */
import type Dockerode from 'dockerode';
import { LabError } from '../../model/errors.js';
import { findNode, type Topology } from '../../model/topology.js';
import type { CommandResult, RunOptions } from '../../util/run-command.js';
import { Teardown } from '../../util/teardown.js';
import type { LabProcess, SpawnOptions, StartedLab } from '../backend.js';
import { removeLabDir } from '../state.js';
import { labContainers, removeContainers } from './containers.js';
import { execIn } from './exec.js';
import { removeNetwork } from './networks.js';
import { containerName, type DockerPlan } from './plan.js';
import { spawnExec, spawnInImage, spawnInteractive, type ProcessTarget } from './processes.js';

export class DockerLab implements StartedLab {
  readonly backend = 'docker';
  /** Containers outlive the process that made them. */
  readonly livesWithThisProcess = false;
  private processes = new Set<LabProcess>();
  private downing: Promise<void> | null = null;

  constructor(
    readonly id: string,
    readonly topology: Topology,
    readonly plan: DockerPlan,
    readonly stateDir: string,
    private docker: Dockerode,
    /** The lab's node image (the wire capture runs from it too). */
    private image: string,
    /** What every container of the lab mounts (containers.ts labBinds). */
    private binds: string[],
  ) {}

  private containerOf(node: string): string {
    if (!findNode(this.topology, node)) {
      const names = [...this.topology.hosts, ...this.topology.routers].map((n) => n.name);
      throw new LabError('usage', `lab ${this.id} has no host or router "${node}" (it has: ${names.join(', ')})`);
    }
    return containerName(this.id, node);
  }

  async exec(node: string, argv: string[], opts: RunOptions = {}): Promise<CommandResult> {
    return execIn(this.docker, this.containerOf(node), node, argv, opts);
  }

  spawn(node: string, argv: string[], opts: SpawnOptions = {}): LabProcess {
    const target: ProcessTarget = {
      docker: this.docker,
      labId: this.id,
      node,
      container: this.containerOf(node),
      binds: this.binds,
      signal: async (pid, sig) => void (await this.exec(node, ['sh', '-c', `kill -${sig} ${pid} 2>/dev/null`], { check: false }).catch(() => {})),
    };
    if (opts.interactive) return spawnInteractive(target, argv);
    if (opts.image) return spawnInImage(target, opts.image, argv, opts);
    const proc = spawnExec(target, argv, opts);
    this.processes.add(proc);
    proc.exited.then(() => this.processes.delete(proc));
    return proc;
  }

  /**
   * Docker's internet is a bridge on the machine: each frame enters it once, from its sender's
   * port (a veth whose other end is in the sending container). A container of the lab's image in
   * the machine's network namespace (read-only: it only listens) captures those ports' ingress,
   * `-i any -Q in` as in the netns switch; the filter keeps internet-to-internet frames (the
   * daemon holds one lab of an address plan at a time, so those are this lab's).
   */
  captureInternet(tcpdump: string[], filter: string): LabProcess {
    const target: ProcessTarget = { docker: this.docker, labId: this.id, node: 'internet', container: '', binds: this.binds, signal: async () => {} };
    const proc = spawnInImage(target, this.image, [...tcpdump, '-i', 'any', '-Q', 'in', filter], {}, { NetworkMode: 'host', CapAdd: ['NET_ADMIN', 'NET_RAW'] });
    this.processes.add(proc);
    proc.exited.then(() => this.processes.delete(proc));
    return proc;
  }

  down(): Promise<void> {
    this.downing ??= (async () => {
      const teardown = new Teardown();
      teardown.push('remove state folder', () => removeLabDir(this.id));
      teardown.push('remove networks', () => Promise.all(this.plan.networks.map((n) => removeNetwork(this.docker, n.name))));
      teardown.push('remove containers (and every process in them)', async () => removeContainers(this.docker, await labContainers(this.docker, [this.id])));
      await teardown.unwind();
    })();
    return this.downing;
  }
}
