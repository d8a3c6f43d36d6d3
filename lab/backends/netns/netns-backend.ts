/** Builds topologies as Linux network namespaces with kernel NAT routers (iproute2 + nftables). */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { LabError } from '../../model/errors.js';
import type { Topology } from '../../model/topology.js';
import { INTERNET, findNode } from '../../model/topology.js';
import { newId } from '../../util/ids.js';
import { CommandResult, RunOptions, requireTool, runCommand } from '../../util/run-command.js';
import { Teardown, buildOrUnwind } from '../../util/teardown.js';
import { backendsWith } from '../registry.js';
import type { Backend, LabProcess, LabSummary, SpawnOptions, StartedLab, UpOptions } from '../backend.js';
import { createLabDir, labDir, listLabIds, readLabState, removeLabDir, writeLabState } from '../state.js';
import { NETNS_PREFIX, NetnsPlan, handoverSteps, nsName, parseNsName, planNetns, switchNs } from './plan.js';
import { planNodes } from '../common/node-plan.js';
import { CREATED_MARKER, bringUpFailure, bringUpScript } from './script.js';
import { NETNS_DIR, isAlive, nsPath, pidsInNamespaces, stopPids } from './processes.js';
import { inUserNamespace } from './userns.js';
import { NETNS_CAPABILITIES } from './entry.js';
import { netnsUnprivileged } from './unprivileged.js';

export class NetnsBackend implements Backend {
  readonly name = 'netns';
  readonly capabilities = NETNS_CAPABILITIES;
  readonly unprivileged = netnsUnprivileged;

  async checkAvailable(): Promise<void> {
    if (process.getuid?.() !== 0) {
      throw new LabError(
        'permission',
        'the netns backend needs CAP_NET_ADMIN',
        'run as root, or let the lab re-run itself in a user namespace (it does so by itself when the kernel allows), or use --backend docker',
      );
    }
    requireTool('ip', 'build network namespaces');
    requireTool('nft', 'program the NAT routers');
    requireTool('nsenter', 'run commands inside lab hosts');
  }

  async up(topology: Topology, opts: UpOptions = {}): Promise<StartedLab> {
    const labId = opts.labId ?? newId();
    const plan = planNetns(topology, labId);
    const clash = plan.namespaces.find((ns) => existsSync(nsPath(ns)));
    if (clash) throw new LabError('backend', `namespace ${clash} already exists: lab id ${labId} is in use`, `run \`npm run lab -- clean ${labId}\` to remove its leftovers`);

    const teardown = new Teardown();
    return buildOrUnwind(teardown, async () => {
      const dir = createLabDir(labId);
      teardown.push(`remove ${dir}`, () => removeLabDir(labId));
      writeLabState({ id: labId, backend: 'netns', topology, createdAt: new Date().toISOString(), ownerPid: process.pid, userNamespace: inUserNamespace() });
      const lab = new NetnsLab(labId, topology, plan, dir);
      // down() stops whatever onCreated started too, and removes the namespaces.
      teardown.push('take the half-built lab down', () => lab.down());
      opts.onStep?.(`creating ${plan.namespaces.length} namespaces, their links, addresses, routes and ${plan.routers.length} NAT ruleset(s)`);
      await runBringUp(plan, dir, () => opts.onCreated?.(lab));
      return lab;
    });
  }

  async attach(labId: string): Promise<StartedLab> {
    const state = readLabState(labId);
    if (!state || state.backend !== 'netns') {
      const known = (await this.list()).map((l) => l.id);
      throw new LabError('not-found', `no netns lab with id "${labId}"`, known.length ? `running labs: ${known.join(', ')}` : 'no lab is running; start one with `npm run lab -- up <topology>`');
    }
    return new NetnsLab(labId, state.topology, planNetns(state.topology, labId), labDir(labId));
  }

  async list(): Promise<LabSummary[]> {
    const ids = new Set([...listLabIds(), ...ownNamespaces().map((ns) => parseNsName(ns)!.labId)]);
    return [...ids].sort().flatMap((id) => {
      const state = readLabState(id);
      if (state && state.backend !== 'netns') return [];
      // A user-namespace lab exists only while the process that owns it runs.
      const complete = state !== null && (!state.userNamespace || isAlive(state.ownerPid));
      return [{ id, backend: 'netns' as const, topology: state?.topology.name ?? null, complete }];
    });
  }

  async clean(labIds?: string[]): Promise<string[]> {
    const removed: string[] = [];
    const wanted = (id: string) => !labIds || labIds.includes(id);
    const namespaces = ownNamespaces().filter((ns) => wanted(parseNsName(ns)!.labId));
    const pids = pidsInNamespaces(namespaces);
    if (pids.length) {
      await stopPids(pids);
      removed.push(`${pids.length} process(es) inside lab namespaces`);
    }
    if (namespaces.length) {
      await destroyNamespaces(namespaces);
      removed.push(...namespaces.map((ns) => `namespace ${ns}`));
    }
    for (const id of listLabIds().filter(wanted)) {
      const state = readLabState(id);
      if (state && state.backend !== 'netns') continue;
      if (state?.userNamespace && isAlive(state.ownerPid)) await stopPids([state.ownerPid], 5000);
      removeLabDir(id);
      removed.push(`state folder of lab ${id}`);
    }
    return removed;
  }
}

class NetnsLab implements StartedLab {
  readonly backend = 'netns';
  /** In a user namespace, the namespaces vanish with this process. */
  readonly livesWithThisProcess = inUserNamespace();
  private processes = new Set<LabProcess>();
  private downing: Promise<void> | null = null;

  constructor(
    readonly id: string,
    readonly topology: Topology,
    private plan: NetnsPlan,
    readonly stateDir: string,
  ) {}

  exec(node: string, argv: string[], opts: RunOptions = {}): Promise<CommandResult> {
    return runCommand(['nsenter', `--net=${this.nsOf(node)}`, '--', ...argv], { purpose: `run ${argv[0]} on ${node}`, ...opts });
  }

  spawn(node: string, argv: string[], opts: SpawnOptions = {}): LabProcess {
    if (opts.image) throw new LabError('usage', `a peer image (${opts.image}) needs a backend that runs images (${backendsWith('customImages').join(', ')}): run with --backend ${backendsWith('customImages')[0]}, or give the peer a command`);
    return this.spawnIn(this.nsOf(node), node, argv, opts);
  }

  /**
   * The internet is a bridge in the lab's switch namespace when it has more than two members:
   * `-i any -Q in` there sees each frame once, as it enters the bridge from its sender (the bridge
   * device itself sees only broadcasts; the filter drops the LAN bridges' frames). A two-member
   * internet is one veth pair whose one end is the services host: capturing there sees it all.
   */
  captureInternet(tcpdump: string[], filter: string): LabProcess {
    const t = this.topology;
    const members = t.hosts.filter((h) => h.iface.segment === INTERNET).length + t.routers.filter((r) => r.outside.segment === INTERNET).length;
    if (members > 2) return this.spawnIn(nsPath(switchNs(this.id)), 'switch', [...tcpdump, '-i', 'any', '-Q', 'in', filter], {});
    const srv = t.hosts.find((h) => h.name === t.services.host)!;
    return this.spawn(srv.name, [...tcpdump, '-i', srv.iface.name, filter]);
  }

  private spawnIn(ns: string, node: string, argv: string[], opts: SpawnOptions): LabProcess {
    const child = spawn('nsenter', [`--net=${ns}`, '--', ...argv], {
      env: { ...process.env, ...opts.env },
      cwd: opts.cwd,
      stdio: opts.interactive ? 'inherit' : [opts.stdin ?? 'ignore', opts.stdio ?? 'pipe', opts.stdio ?? 'pipe'],
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.on('error', () => resolve({ code: 127, signal: null }));
      child.on('exit', (code, signal) => resolve({ code, signal }));
    });
    const proc: LabProcess = {
      node,
      pid: child.pid ?? -1,
      stdout: child.stdout ?? Readable.from([]),
      stderr: child.stderr ?? Readable.from([]),
      stdin: child.stdin,
      exited,
      stop: async (graceMs = 1000) => {
        if (child.exitCode === null && child.signalCode === null && child.pid) await stopChild(child, exited, graceMs);
        await exited;
      },
    };
    this.processes.add(proc);
    exited.then(() => this.processes.delete(proc));
    return proc;
  }

  down(): Promise<void> {
    this.downing ??= (async () => {
      const teardown = new Teardown();
      teardown.push('remove state folder', () => removeLabDir(this.id));
      teardown.push('remove namespaces', () => destroyNamespaces(this.plan.namespaces));
      teardown.push('stop processes', async () => {
        await Promise.all([...this.processes].map((p) => p.stop(500)));
        const strays = pidsInNamespaces(this.plan.namespaces);
        if (strays.length) await stopPids(strays, 500);
      });
      await teardown.unwind();
    })();
    return this.downing;
  }

  private moves = 0;

  /**
   * A handover: a new veth pair from the switch namespace's bridge of `segment` into the host
   * (eth1, eth2...), the old interface down and without its address, the default route through
   * the new one. Only bridged segments take a new member (a segment of exactly two members is one
   * veth pair between them, with no bridge to join).
   */
  async moveHost(host: string, segment: string, address: string, gateway: string): Promise<string> {
    const hostNode = this.topology.hosts.find((h) => h.name === host);
    const seg = this.topology.segments.find((s) => s.name === segment);
    if (!hostNode || !seg) throw new LabError('usage', `lab ${this.id} has no host "${host}" or segment "${segment}"`);
    const members = planNodes(this.topology, this.id).segments.find((s) => s.name === segment)!.members.length;
    if (members === 2) throw new LabError('usage', `segment ${segment} is a single veth pair between its two members (no bridge to join): give it a third member, or hand over to a LAN with one or more than two`);
    const n = ++this.moves;
    const iface = `eth${n}`;
    const old = n === 1 ? hostNode.iface.name : `eth${n - 1}`;
    const steps = handoverSteps(this.id, { host, old, iface, port: `ho${n}`, segment, address, prefix: seg.prefix, gateway });
    for (const step of steps) {
      await runCommand(step.ns ? ['ip', '-n', step.ns, '-batch', '-'] : ['ip', '-batch', '-'], { input: step.lines.join('\n') + '\n', purpose: `hand ${host} over to ${segment}` });
    }
    return iface;
  }

  private nsOf(node: string): string {
    if (!findNode(this.topology, node)) {
      const names = [...this.topology.hosts, ...this.topology.routers].map((n) => n.name);
      throw new LabError('usage', `lab ${this.id} has no host or router "${node}" (it has: ${names.join(', ')})`);
    }
    return nsPath(nsName(this.id, node));
  }
}

/**
 * SIGTERM, then SIGKILL if it has not exited within graceMs. Our own child: its exit event says when
 * it is gone, at once (stopPids polls every 10 ms, for processes that are not ours).
 */
async function stopChild(child: ChildProcess, exited: Promise<unknown>, graceMs: number): Promise<void> {
  const within = (ms: number) => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    return Promise.race([exited.then(() => true), late]).finally(() => clearTimeout(timer));
  };
  child.kill('SIGTERM');
  if (await within(graceMs)) return;
  child.kill('SIGKILL');
  await within(2000);
}

/** Lab namespaces this user can own: outside a user namespace, only root's labs have them. */
function ownNamespaces(): string[] {
  return process.getuid?.() === 0 ? labNamespaces() : [];
}

function labNamespaces(): string[] {
  try {
    return readdirSync(NETNS_DIR).filter((ns) => ns.startsWith(`${NETNS_PREFIX}-`) && parseNsName(ns) !== null);
  } catch {
    return [];
  }
}

async function runBringUp(plan: NetnsPlan, dir: string, onCreated: () => void): Promise<void> {
  const { script, jobs } = bringUpScript(plan);
  const file = join(dir, 'up.sh');
  writeFileSync(file, script, { mode: 0o600 });
  const result = await runCommand(['bash', file], { check: false, cwd: dir, purpose: 'build the lab', onStdout: (chunk) => chunk.includes(CREATED_MARKER) && onCreated() });
  if (result.code === 0) return;
  throw new LabError('backend', bringUpFailure(jobs, dir, result.stderr, file));
}

async function destroyNamespaces(namespaces: string[]): Promise<void> {
  const present = namespaces.filter((ns) => existsSync(nsPath(ns)));
  if (!present.length) return;
  // -force: keep going past a namespace that vanished meanwhile.
  const result = await runCommand(['ip', '-force', '-batch', '-'], { input: present.map((ns) => `netns del ${ns}`).join('\n') + '\n', check: false });
  const left = present.filter((ns) => existsSync(nsPath(ns)));
  if (left.length) throw new LabError('backend', `could not remove namespaces ${left.join(', ')}: ${result.stderr.trim()}`);
}
