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
import { containerName, parseIpAddr, type DockerPlan } from './plan.js';
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

  private moves = 0;
  /** Where each host's container is attached now (handovers move it). */
  private attached = new Map<string, string>();

  /**
   * A handover: the host's container leaves its network (Docker removes its interface with the
   * address) and joins `segment`'s with `address`; the new interface is found by that address and
   * named eth1, eth2... as on netns, with the default route through `gateway` (Docker may have put
   * its own gateway there: replaced). Processes in the container keep running throughout.
   */
  async moveHost(host: string, segment: string, address: string, gateway: string): Promise<string> {
    const container = this.plan.containers.find((c) => c.node === host && !c.router);
    const target = this.plan.networks.find((n) => n.segment === segment);
    if (!container || !target) throw new LabError('usage', `lab ${this.id} has no host "${host}" or segment "${segment}"`);
    const from = this.attached.get(host) ?? container.endpoints[0].network;
    const iface = `eth${++this.moves}`;
    await this.docker.getNetwork(from).disconnect({ Container: container.name, Force: true });
    await this.docker.getNetwork(target.name).connect({ Container: container.name, EndpointConfig: { IPAMConfig: { IPv4Address: address } } });
    this.attached.set(host, target.name);
    const shown = await this.exec(host, ['ip', '-o', '-4', 'addr', 'show'], { purpose: `find ${host}'s interface on ${segment}` });
    const current = parseIpAddr(shown.stdout).get(address);
    if (!current) throw new LabError('backend', `${host} joined Docker network ${target.name} as ${address}, but no interface in it has that address: ${shown.stdout.trim()}`);
    const lines = current === iface ? [] : [`link set dev ${current} down`, `link set dev ${current} name ${iface}`];
    lines.push(`link set dev ${iface} up`, `route replace default via ${gateway} dev ${iface}`);
    await this.exec(host, ['ip', '-batch', '-'], { input: lines.join('\n') + '\n', purpose: `hand ${host} over to ${segment}` });
    return iface;
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
