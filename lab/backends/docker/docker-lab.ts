/** A lab that is up on Docker: commands and processes in its nodes (containers, or namespaces of the switch), and its teardown. */
import { setTimeout as sleep } from 'node:timers/promises';
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
import { nodePlace, type DockerPlan, type NodePlace } from './plan.js';
import { spawnExec, spawnInImage, spawnInteractive, type ExecProcess, type ProcessTarget } from './processes.js';

export class DockerLab implements StartedLab {
  readonly backend = 'docker';
  /** Containers outlive the process that made them. */
  readonly livesWithThisProcess = false;
  private processes = new Set<ExecProcess>();
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


  private placeOf(node: string): NodePlace {
    if (!findNode(this.topology, node)) {
      const names = [...this.topology.hosts, ...this.topology.routers].map((n) => n.name);
      throw new LabError('usage', `lab ${this.id} has no host or router "${node}" (it has: ${names.join(', ')})`);
    }
    return nodePlace(this.plan, node);
  }

  async exec(node: string, argv: string[], opts: RunOptions = {}): Promise<CommandResult> {
    const { container, wrap } = this.placeOf(node);
    return execIn(this.docker, container, node, [...wrap, ...argv], opts);
  }

  spawn(node: string, argv: string[], opts: SpawnOptions = {}): LabProcess {
    const { container, wrap } = this.placeOf(node);
    const target: ProcessTarget = {
      docker: this.docker,
      labId: this.id,
      node,
      container,
      wrap,
      binds: this.binds,
      signal: (pid, sig) => this.signal(container, pid, sig),
    };
    if (opts.interactive) return spawnInteractive(target, argv);
    if (opts.image) {
      if (wrap.length) {
        const hosts = this.plan.containers.map((c) => c.node);
        throw new LabError('usage', `a peer image (${opts.image}) runs in a host container of its own network, and ${node} is ${node === this.topology.services.host ? 'the services host' : 'a router'}, a namespace of the lab's switch container on docker: put the peer on a host (${hosts.join(', ')})`);
      }
      return spawnInImage(target, opts.image, argv, opts);
    }
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
      wrap: [],
      binds: this.binds,
      signal: (pid, sig) => this.signal(this.plan.switchContainer, pid, sig),
    };
  }

  /** `kill` in the process's container, by its PID there (the machine's in the switch, which has --pid host). */
  private async signal(container: string, pid: number, sig: 'TERM' | 'KILL'): Promise<void> {
    await execIn(this.docker, container, container, ['sh', '-c', `kill -${sig} ${pid} 2>/dev/null`], { check: false }).catch(() => {});
  }

  private moves = 0;

  /**
   * A handover, as on netns (netns/plan.ts handoverSteps), run in the switch container, which has
   * every namespace of the lab by name: the old interface down, a new veth pair from the target
   * segment's bridge into the host (eth1, eth2...), the default route through it. Processes on
   * the host keep running throughout.
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
      // Every link and namespace of the lab lives in the containers (the switch's namespaces in its
      // mount namespace), and goes with them, as does every process: none is stopped one by one.
      teardown.push('remove containers (and every process in them)', () => this.removeAll());
      await teardown.unwind();
    })();
    return this.downing;
  }

  /**
   * The switch shares the machine's PIDs, and when it is removed the daemon does not end the exec
   * streams of the processes that ran in it (they die, but their streams stay open and keep this
   * process alive): those get one SIGKILL from inside first, while the host containers are
   * already being removed. Any stream still open after that is closed here.
   */
  private async removeAll(): Promise<void> {
    const containers = await labContainers(this.docker, [this.id]);
    const isSwitch = (c: { Names: string[] }) => c.Names.includes(`/${this.plan.switchContainer}`);
    const pids = [...this.processes].filter((p) => p.container === this.plan.switchContainer && p.innerPid).map((p) => p.innerPid!);
    const killInSwitch = async () => {
      if (!pids.length) return;
      await execIn(this.docker, this.plan.switchContainer, 'switch', ['sh', '-c', 'kill -KILL "$@" 2>/dev/null', 'sh', ...pids.map(String)], { check: false, purpose: 'end the processes in the switch' }).catch(() => {});
    };
    await Promise.all([removeContainers(this.docker, containers.filter((c) => !isSwitch(c))), killInSwitch().then(() => removeContainers(this.docker, containers.filter(isSwitch)))]);
    const open = [...this.processes];
    if (open.length) await Promise.race([Promise.all(open.map((p) => p.exited)), sleep(200)]);
    for (const p of this.processes) p.detach();
  }
}
