/**
 * The same topologies as containers on Docker networks. Each segment is a Docker bridge network
 * that gives the host no address on it and masquerades nothing (so no route out); each host and router is a container
 * (routers get NET_ADMIN and the same generated nftables rules as the netns backend); every process
 * the lab starts in a node is a container of its own sharing that node's network namespace.
 * Everything carries the lab id in its name and labels, so `clean` finds leftovers after a crash.
 */
import { PassThrough, Writable } from 'node:stream';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type Dockerode from 'dockerode';
import { LabError } from '../../model/errors.js';
import { findNode, type Topology } from '../../model/topology.js';
import { newId, hash32 } from '../../util/ids.js';
import { projectRoot } from '../../util/paths.js';
import type { CommandResult, RunOptions } from '../../util/run-command.js';
import { Teardown, buildOrUnwind } from '../../util/teardown.js';
import type { Backend, LabProcess, LabSummary, SpawnOptions, StartedLab, UpOptions } from '../backend.js';
import { createLabDir, labDir, listLabIds, readLabState, removeLabDir, stateRoot, writeLabState } from '../state.js';
import { routerRuleset } from '../../nat/ruleset.js';
import { ensureImage, type ImageSource } from './image.js';
import { LABEL, LABEL_LAB, LABEL_NODE, LABEL_ROLE, containerName, containerNetworkBatch, parseIpAddr, planDocker, subnetConflicts, type DockerPlan } from './plan.js';
import { reaperLabels } from './reaper.js';
import { reapAbandonedLabs } from '../reap.js';

export function imageSource(): ImageSource {
  const v = process.env.WEBRTC_LAB_DOCKER_IMAGE_SOURCE ?? 'offline';
  if (v !== 'offline' && v !== 'registry') throw new LabError('usage', `WEBRTC_LAB_DOCKER_IMAGE_SOURCE="${v}" must be offline or registry`);
  return v;
}

async function connect(): Promise<Dockerode> {
  const { default: Docker } = await import('dockerode');
  return new Docker();
}

export class DockerBackend implements Backend {
  readonly name = 'docker' as const;
  private docker: Dockerode | null = null;

  private async client(): Promise<Dockerode> {
    this.docker ??= await connect();
    return this.docker;
  }

  async checkAvailable(): Promise<void> {
    const where = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
    try {
      await (await this.client()).ping();
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const why = e.code === 'ENOENT' ? 'no daemon socket there' : e.code === 'EACCES' ? 'permission denied on the socket' : e.code === 'ECONNREFUSED' ? 'nothing listens there' : e.message;
      throw new LabError(
        'backend',
        `--backend docker needs a running Docker daemon, and none answers at ${where} (${why})`,
        e.code === 'EACCES'
          ? 'run as root or add your user to the docker group'
          : 'install docker.io and start the daemon (systemctl start docker, or `dockerd &` as root), or set DOCKER_HOST; the default netns backend needs no Docker',
      );
    }
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
      const lab = new DockerLab(labId, topology, plan, dir, docker, image);
      teardown.push('take the half-built lab down', () => lab.down());
      opts.onStep?.(`creating ${plan.networks.length} networks and ${plan.containers.length} containers`);
      await allSettled(
        plan.networks.map((n) =>
          docker.createNetwork({
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
          }),
        ),
      );
      await allSettled(plan.containers.map((c) => createNode(docker, image, c, labels)));
      opts.onCreated?.(lab);
      opts.onStep?.('configuring interfaces, routes and NAT rules');
      await Promise.all(plan.containers.map((c) => configureNode(lab, c.node)));
      return lab;
    });
  }

  async attach(labId: string): Promise<StartedLab> {
    const state = readLabState(labId);
    if (!state || state.backend !== 'docker') {
      throw new LabError('not-found', `no docker lab with id "${labId}"`, 'see: npm run lab -- list');
    }
    const docker = await this.client();
    return new DockerLab(labId, state.topology, planDocker(state.topology, labId), labDir(labId), docker, await ensureImage(docker, imageSource()));
  }

  async list(): Promise<LabSummary[]> {
    const ids = new Set(listLabIds().filter((id) => readLabState(id)?.backend === 'docker'));
    try {
      const docker = await this.client();
      for (const c of await docker.listContainers({ all: true, filters: { label: [LABEL] } })) ids.add(c.Labels[LABEL_LAB]);
    } catch {
      // no daemon: only state folders tell
    }
    return [...ids].sort().map((id) => {
      const state = readLabState(id);
      return { id, backend: 'docker' as const, topology: state?.topology.name ?? null, complete: state !== null };
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
      const wanted = (labels: Record<string, string>) => !labIds || labIds.includes(labels[LABEL_LAB]);
      const containers = (await docker.listContainers({ all: true, filters: { label: [LABEL] } })).filter((c) => wanted(c.Labels));
      await Promise.all(containers.map((c) => docker!.getContainer(c.Id).remove({ force: true }).catch(() => {})));
      removed.push(...containers.map((c) => `container ${c.Names[0]?.replace(/^\//, '') ?? c.Id}`));
      const networks = (await docker.listNetworks({ filters: { label: [LABEL] } })).filter((n) => wanted(n.Labels ?? {}));
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

async function refuseOverlaps(docker: Dockerode, plan: DockerPlan, topologyName: string): Promise<void> {
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
      ? 'one Docker daemon holds one lab of a given address plan at a time: take the other lab down (npm run lab -- down <id>; one left by a crash: npm run lab -- clean), or use the netns backend for parallel labs'
      : "give Docker's own networks other addresses (dockerd --bip=<cidr>, or --bridge=none, or default-address-pools in daemon.json) or remove the network",
  );
}

async function createNode(docker: Dockerode, image: string, c: DockerPlan['containers'][number], labels: Record<string, string>): Promise<void> {
  const [first, ...rest] = c.endpoints;
  const container = await docker.createContainer({
    name: c.name,
    Image: image,
    Cmd: ['sleep', 'infinity'],
    Hostname: c.node,
    Labels: { ...labels, [LABEL_NODE]: c.node, [LABEL_ROLE]: 'node' },
    HostConfig: {
      NetworkMode: first.network,
      // The same paths as on the machine: bundles and media read-only, lab state writable.
      Binds: [`${projectRoot}:${projectRoot}:ro`, `${stateRoot()}:${stateRoot()}`],
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

async function configureNode(lab: DockerLab, node: string): Promise<void> {
  const n = findNode(lab.topology, node)!;
  const shown = await lab.exec(node, ['ip', '-o', '-4', 'addr', 'show'], { purpose: `read the interfaces of ${node}` });
  const batch = containerNetworkBatch(lab.topology, n, parseIpAddr(shown.stdout));
  await lab.exec(node, ['ip', '-batch', '-'], { input: batch.join('\n') + '\n', purpose: `configure ${node}` });
  if (n.kind === 'router') {
    const hostAddress = (name: string | null) => lab.topology.hosts.find((h) => h.name === name)?.iface.addresses[0] ?? null;
    const ruleset = routerRuleset({
      outside: { iface: n.outside.name, address: n.outside.addresses[0] },
      inside: n.inside.map((i) => ({ iface: i.name })),
      nat: n.nat,
      isolateInside: n.isolateInside,
      oneToOneAddress: hostAddress(n.oneToOneHost),
      hashSeed: hash32(`${lab.id}/${n.name}`),
    });
    await lab.exec(node, ['nft', '-f', '-'], { input: ruleset, purpose: `program router ${node}` });
  }
}

/** Passes a stream on, minus its first line, which it hands over separately. */
class FirstLine extends Writable {
  readonly line: Promise<string>;
  private resolve!: (l: string) => void;
  private buffer = '';
  private seen = false;

  constructor(private out: PassThrough) {
    super();
    this.line = new Promise((r) => (this.resolve = r));
    this.on('finish', () => {
      if (!this.seen) this.resolve('');
      this.out.end();
    });
  }

  _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    if (this.seen) {
      this.out.write(chunk);
      return done();
    }
    this.buffer += chunk.toString('utf8');
    const nl = this.buffer.indexOf('\n');
    if (nl >= 0) {
      this.seen = true;
      this.resolve(this.buffer.slice(0, nl).trim());
      const rest = this.buffer.slice(nl + 1);
      if (rest) this.out.write(rest);
    }
    done();
  }
}

class DockerLab implements StartedLab {
  readonly backend = 'docker' as const;
  private processes = new Set<LabProcess>();
  private downing: Promise<void> | null = null;

  constructor(
    readonly id: string,
    readonly topology: Topology,
    private plan: DockerPlan,
    readonly stateDir: string,
    private docker: Dockerode,
    private image: string,
  ) {}

  private containerOf(node: string): string {
    if (!findNode(this.topology, node)) {
      const names = [...this.topology.hosts, ...this.topology.routers].map((n) => n.name);
      throw new LabError('usage', `lab ${this.id} has no host or router "${node}" (it has: ${names.join(', ')})`);
    }
    return containerName(this.id, node);
  }

  /** A command in a node through the Docker API (no docker CLI process per call). */
  async exec(node: string, argv: string[], opts: RunOptions = {}): Promise<CommandResult> {
    const { check = true, timeoutMs = 30_000, purpose = `run ${argv[0]} on ${node}` } = opts;
    const exec = await this.docker.getContainer(this.containerOf(node)).exec({
      Cmd: argv,
      Env: Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`),
      AttachStdout: true,
      AttachStderr: true,
      AttachStdin: opts.input !== undefined,
    });
    const stream = await exec.start({ hijack: opts.input !== undefined, stdin: opts.input !== undefined });
    const out = new PassThrough();
    const err = new PassThrough();
    let stdout = '';
    let stderr = '';
    out.on('data', (d) => (stdout += d));
    err.on('data', (d) => (stderr += d));
    this.docker.modem.demuxStream(stream, out, err);
    if (opts.input !== undefined) (stream as unknown as NodeJS.WritableStream).end(opts.input);
    const done = new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
    });
    const timedOut = await Promise.race([done.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), timeoutMs).unref())]);
    let code: number | null = null;
    for (let i = 0; i < 100 && !timedOut; i++) {
      const info = await exec.inspect();
      if (!info.Running) {
        code = info.ExitCode;
        break;
      }
      await sleep(10);
    }
    if (check && code !== 0) {
      const why = timedOut ? `timed out after ${timeoutMs} ms` : stderr.trim() || stdout.trim() || `exit code ${code}`;
      throw new LabError('command-failed', `failed to ${purpose}: ${argv.join(' ')}: ${why}`);
    }
    return { code, signal: null, stdout, stderr };
  }

  /**
   * A process in a node, started with `docker exec` through the API (a container of its own would
   * cost about half a second more to start). It first prints its PID inside the container, which
   * the lab reads off stdout and uses to signal it.
   */
  spawn(node: string, argv: string[], opts: SpawnOptions = {}): LabProcess {
    const target = this.containerOf(node);
    if (opts.interactive) return this.interactive(target, node, argv);
    if (opts.image) return this.spawnContainer(target, node, argv, opts);
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const stdin = opts.stdin === 'pipe' ? new PassThrough() : null;
    const container = this.docker.getContainer(target);
    let innerPid: Promise<number> | null = null;
    const signal = async (sig: 'TERM' | 'KILL') => {
      const pid = await innerPid;
      if (pid) await this.exec(node, ['sh', '-c', `kill -${sig} ${pid} 2>/dev/null`], { check: false }).catch(() => {});
    };
    const proc: { -readonly [K in keyof LabProcess]: LabProcess[K] } = {
      node,
      pid: -1,
      stdout,
      stderr,
      stdin,
      exited: Promise.resolve({ code: null, signal: null }),
      stop: async (graceMs = 1000) => {
        await signal('TERM');
        const timer = setTimeout(() => void signal('KILL'), graceMs);
        await proc.exited;
        clearTimeout(timer);
      },
    };
    proc.exited = (async () => {
      try {
        const exec = await container.exec({
          Cmd: ['sh', '-c', 'echo $$; exec "$@"', 'sh', ...argv],
          Env: Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`),
          WorkingDir: opts.cwd,
          AttachStdout: true,
          AttachStderr: true,
          AttachStdin: Boolean(stdin),
        });
        const stream = await exec.start({ hijack: Boolean(stdin), stdin: Boolean(stdin) });
        const firstLine = new FirstLine(stdout);
        innerPid = firstLine.line.then(Number);
        this.docker.modem.demuxStream(stream, firstLine, stderr);
        if (stdin) stdin.pipe(stream as unknown as NodeJS.WritableStream);
        const ended = new Promise<void>((resolve) => {
          stream.on('end', resolve);
          stream.on('close', resolve);
        });
        exec.inspect().then((i) => (proc.pid = i.Pid), () => {});
        await ended;
        firstLine.end();
        stderr.end();
        for (let i = 0; i < 50; i++) {
          const info = await exec.inspect();
          if (!info.Running) return { code: info.ExitCode, signal: null };
          await sleep(20);
        }
        return { code: null, signal: null };
      } catch (err) {
        stderr.write(`cannot run ${argv[0]} in ${node}: ${(err as Error).message}\n`);
        stdout.end();
        stderr.end();
        return { code: 127, signal: null };
      }
    })();
    this.processes.add(proc);
    proc.exited.then(() => this.processes.delete(proc));
    return proc;
  }

  /** A process in an image of the user's choosing: its own container, in the node's network namespace. */
  private spawnContainer(target: string, node: string, argv: string[], opts: SpawnOptions): LabProcess {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let container: Dockerode.Container | null = null;
    const proc: { -readonly [K in keyof LabProcess]: LabProcess[K] } = {
      node,
      pid: -1,
      stdout,
      stderr,
      stdin: null,
      exited: Promise.resolve({ code: null, signal: null }),
      stop: async (graceMs = 1000) => {
        await container?.stop({ t: Math.ceil(graceMs / 1000) }).catch(() => {});
        await proc.exited;
      },
    };
    proc.exited = (async () => {
      try {
        container = await this.docker.createContainer({
          Image: opts.image,
          Cmd: argv,
          Env: Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`),
          WorkingDir: opts.cwd,
          Labels: { [LABEL]: '1', [LABEL_LAB]: this.id, [LABEL_NODE]: node, [LABEL_ROLE]: 'process' },
          HostConfig: { NetworkMode: `container:${target}`, Binds: [`${projectRoot}:${projectRoot}:ro`, `${stateRoot()}:${stateRoot()}`] },
        });
        const stream = await container.attach({ stream: true, stdout: true, stderr: true });
        this.docker.modem.demuxStream(stream, stdout, stderr);
        stream.on('end', () => (stdout.end(), stderr.end()));
        await container.start();
        proc.pid = (await container.inspect()).State.Pid;
        const { StatusCode } = await container.wait();
        return { code: StatusCode as number, signal: null };
      } catch (err) {
        stderr.write(`cannot run ${argv[0]} from image ${opts.image} in ${node}: ${(err as Error).message}\n`);
        stdout.end();
        stderr.end();
        return { code: 127, signal: null };
      } finally {
        await container?.remove({ force: true }).catch(() => {});
      }
    })();
    return proc;
  }

  private interactive(target: string, node: string, argv: string[]): LabProcess {
    const tty = process.stdin.isTTY ? ['-t'] : [];
    const child = spawn('docker', ['exec', '-i', ...tty, target, ...argv], { stdio: 'inherit' });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.on('error', () => resolve({ code: 127, signal: null }));
      child.on('exit', (code, signal) => resolve({ code, signal }));
    });
    return { node, pid: child.pid ?? -1, stdout: new PassThrough(), stderr: new PassThrough(), stdin: null, exited, stop: async () => void child.kill('SIGTERM') };
  }

  private async removeContainers(): Promise<void> {
    const all = await this.docker.listContainers({ all: true, filters: { label: [`${LABEL_LAB}=${this.id}`] } });
    await Promise.all(all.map((c) => this.docker.getContainer(c.Id).remove({ force: true }).catch(ignoreGone)));
  }

  down(): Promise<void> {
    this.downing ??= (async () => {
      const teardown = new Teardown();
      teardown.push('remove state folder', () => removeLabDir(this.id));
      teardown.push('remove networks', () => Promise.all(this.plan.networks.map((n) => removeNetwork(this.docker, n.name))));
      teardown.push('remove containers (and every process in them)', () => this.removeContainers());
      await teardown.unwind();
    })();
    return this.downing;
  }
}

/**
 * A network outlives its containers for a moment (Docker releases endpoints asynchronously, and a
 * container still being removed keeps its own), and a network left behind blocks every later lab
 * with the same subnet: retry for a few seconds, force-detaching whatever is still attached.
 */
async function removeNetwork(docker: Dockerode, name: string): Promise<void> {
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

/** 404: already gone; 409: Docker is already removing it (removeNetwork waits for that). */
function ignoreGone(err: { statusCode?: number }): void {
  if (err.statusCode !== 404 && err.statusCode !== 409) throw err;
}
