/** A lab that is up on Docker: commands and processes in its containers, and its teardown. */
import type Dockerode from 'dockerode';
import { LabError } from '../../model/errors.js';
import { INTERNET, findNode, type Topology } from '../../model/topology.js';
import type { CommandResult, RunOptions } from '../../util/run-command.js';
import { Teardown } from '../../util/teardown.js';
import type { LabProcess, SpawnOptions, StartedLab } from '../backend.js';
import { removeLabDir } from '../state.js';
import { labContainers, removeContainers } from './containers.js';
import { execIn } from './exec.js';
import { handoverSteps } from '../netns/plan.js';
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
    /** The lab's node image. */
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
   * As on netns: the internet is a bridge in the switch's network namespace when it has more than
   * two members, and `-i any -Q in` there sees each frame once, as it enters from its sender (the
   * filter drops the LAN bridges' frames); a two-member internet is one veth pair whose one end is
   * the services host: capturing there sees it all.
   */
  captureInternet(tcpdump: string[], filter: string): LabProcess {
    const t = this.topology;
    const members = t.hosts.filter((h) => h.iface.segment === INTERNET).length + t.routers.filter((r) => r.outside.segment === INTERNET).length;
    if (members <= 2) {
      const srv = t.hosts.find((h) => h.name === t.services.host)!;
      return this.spawn(srv.name, [...tcpdump, '-i', srv.iface.name, filter]);
    }
    const proc = spawnExec(this.switchTarget(), [...tcpdump, '-i', 'any', '-Q', 'in', filter], {});
    this.processes.add(proc);
    proc.exited.then(() => this.processes.delete(proc));
    return proc;
  }

  private switchTarget(): ProcessTarget {
    return {
      docker: this.docker,
      labId: this.id,
      node: 'switch',
      container: this.plan.switchContainer,
      binds: this.binds,
      signal: async (pid, sig) => void (await execIn(this.docker, this.plan.switchContainer, 'switch', ['sh', '-c', `kill -${sig} ${pid} 2>/dev/null`], { check: false }).catch(() => {})),
    };
  }

  private moves = 0;

  /**
   * A handover, as on netns (netns/plan.ts handoverSteps), run in the switch container, which has
   * every namespace of the lab by name: the old interface down, a new veth pair from the target
   * segment's bridge into the host (eth1, eth2...), the default route through it. Processes in
   * the container keep running throughout.
   */
  async moveHost(host: string, segment: string, address: string, gateway: string): Promise<string> {
    const hostNode = this.topology.hosts.find((h) => h.name === host);
    const seg = this.topology.segments.find((s) => s.name === segment);
    if (!hostNode || !seg) throw new LabError('usage', `lab ${this.id} has no host "${host}" or segment "${segment}"`);
    if (this.plan.network.segments.find((s) => s.name === segment)!.members.length === 2) {
      throw new LabError('usage', `segment ${segment} is a single veth pair between its two members (no bridge to join): give it a third member, or hand over to a LAN with one or more than two`);
    }
    const n = ++this.moves;
    const iface = `eth${n}`;
    const old = n === 1 ? hostNode.iface.name : `eth${n - 1}`;
    const steps = handoverSteps(this.id, { host, old, iface, port: `ho${n}`, segment, address, prefix: seg.prefix, gateway });
    const script = ['set -e', ...steps.map((s) => `ip ${s.ns ? `-n ${s.ns} ` : ''}-batch - <<'LAB_EOF'\n${s.lines.join('\n')}\nLAB_EOF`)].join('\n');
    await execIn(this.docker, this.plan.switchContainer, 'switch', ['sh', '-c', script], { purpose: `hand ${host} over to ${segment}` });
    return iface;
  }

  down(): Promise<void> {
    this.downing ??= (async () => {
      const teardown = new Teardown();
      teardown.push('remove state folder', () => removeLabDir(this.id));
      // Every link of the lab lives in the containers' namespaces, and goes with them.
      teardown.push('remove containers (and every process in them)', async () => removeContainers(this.docker, await labContainers(this.docker, [this.id])));
      await teardown.unwind();
    })();
    return this.downing;
  }
}
