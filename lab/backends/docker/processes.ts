/**
 * Long-running processes in a lab's containers: a `docker exec` through the API (the common case),
 * a container of its own from a user's image in the node's network namespace, or an interactive
 * `docker exec -it` for the terminal.
 */
import { spawn } from 'node:child_process';
import { PassThrough, Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type Dockerode from 'dockerode';
import type { LabProcess, SpawnOptions } from '../backend.js';
import { envList } from './client.js';
import { watchExit } from './exec.js';
import { LABEL, LABEL_LAB, LABEL_NODE, LABEL_ROLE } from './plan.js';

type MutableProcess = { -readonly [K in keyof LabProcess]: LabProcess[K] };

/** Where a process runs: the node's container (or the switch's, in the node's namespace), and a way to run short commands there (to signal it). */
export interface ProcessTarget {
  docker: Dockerode;
  labId: string;
  node: string;
  container: string;
  /** Before the command: `ip netns exec <ns>` for a node that is a namespace of the switch (plan.ts nodePlace), else empty. */
  wrap: string[];
  /** What the lab's containers mount (containers.ts labBinds). */
  binds: string[];
  signal(pid: number, sig: 'TERM' | 'KILL'): Promise<void>;
}

/** A process run with `docker exec`, as the lab that started it sees it (DockerLab.down). */
export interface ExecProcess extends LabProcess {
  readonly container: string;
  /** Its PID where it runs, once read (the machine's in the switch container, which has `--pid host`). */
  readonly innerPid: number | null;
  /** Closes its exec stream: after its container is gone (the daemon does not always close it then). */
  detach(): void;
}

/**
 * A process started with `docker exec` through the API (a container of its own would cost about
 * half a second more to start). It first prints its PID inside the container, which the lab reads
 * off stdout and uses to signal it.
 */
export function spawnExec(t: ProcessTarget, argv: string[], opts: SpawnOptions): ExecProcess {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = opts.stdin === 'pipe' ? new PassThrough() : null;
  const container = t.docker.getContainer(t.container);
  let pidRead: Promise<number> | null = null;
  let stream: NodeJS.ReadableStream | null = null;
  let over = false;
  const signal = async (sig: 'TERM' | 'KILL') => {
    const pid = await pidRead;
    // A stopped process is often stopped again at teardown: no signal, no round trip, no stranger hit.
    if (pid && !over) await t.signal(pid, sig);
  };
  const proc: MutableProcess & { -readonly [K in keyof ExecProcess]: ExecProcess[K] } = {
    container: t.container,
    innerPid: null,
    detach: () => void (stream as unknown as { destroy?: () => void } | null)?.destroy?.(),
    node: t.node,
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
        Cmd: [...t.wrap, 'sh', '-c', 'echo $$; exec "$@"', 'sh', ...argv],
        Env: envList(opts.env),
        WorkingDir: opts.cwd,
        AttachStdout: true,
        AttachStderr: true,
        AttachStdin: Boolean(stdin),
      });
      const started = await exec.start({ hijack: Boolean(stdin), stdin: Boolean(stdin) });
      stream = started;
      const firstLine = new FirstLine(stdout);
      pidRead = firstLine.line.then((l) => {
        proc.innerPid = Number(l) || null;
        return proc.innerPid ?? 0;
      });
      // The exec's PID is 0 until it runs: asked once its first line is out.
      void pidRead.then(() => exec.inspect()).then((i) => i.Pid > 0 && (proc.pid = i.Pid), () => {});
      t.docker.modem.demuxStream(started, firstLine, stderr);
      if (stdin) stdin.pipe(started as unknown as NodeJS.WritableStream);
      const ended = new Promise<void>((resolve) => {
        started.on('end', resolve);
        started.on('close', resolve);
        started.on('error', () => resolve());
      });
      if (t.wrap.length || t.node === 'switch') watchExit(exec, started, ended, 1000);
      await ended;
      firstLine.end();
      stderr.end();
      for (let i = 0; i < 200; i++) {
        const info = await exec.inspect().catch(() => null);
        // Gone with its container: killed with it.
        if (!info) return { code: null, signal: 'SIGKILL' as const };
        if (!info.Running) return { code: info.ExitCode, signal: null };
        await sleep(5);
      }
      return { code: null, signal: null };
    } catch (err) {
      stderr.write(`cannot run ${argv[0]} in ${t.node}: ${(err as Error).message}\n`);
      stdout.end();
      stderr.end();
      return { code: 127, signal: null };
    }
  })();
  void proc.exited.then(() => (over = true));
  return proc;
}

/** A process in an image of the user's choosing: its own container, in the node's network namespace. */
export function spawnInImage(t: ProcessTarget, image: string, argv: string[], opts: SpawnOptions, host: Dockerode.HostConfig = { NetworkMode: `container:${t.container}` }): LabProcess {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let container: Dockerode.Container | null = null;
  const proc: MutableProcess = {
    node: t.node,
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
      container = await t.docker.createContainer({
        Image: image,
        Cmd: argv,
        Env: envList(opts.env),
        WorkingDir: opts.cwd,
        Labels: { [LABEL]: '1', [LABEL_LAB]: t.labId, [LABEL_NODE]: t.node, [LABEL_ROLE]: 'process' },
        HostConfig: { Binds: t.binds, ...host },
      });
      const stream = await container.attach({ stream: true, stdout: true, stderr: true });
      t.docker.modem.demuxStream(stream, stdout, stderr);
      stream.on('end', () => (stdout.end(), stderr.end()));
      await container.start();
      proc.pid = (await container.inspect()).State.Pid;
      const { StatusCode } = await container.wait();
      return { code: StatusCode as number, signal: null };
    } catch (err) {
      stderr.write(`cannot run ${argv[0]} from image ${image} in ${t.node}: ${(err as Error).message}\n`);
      stdout.end();
      stderr.end();
      return { code: 127, signal: null };
    } finally {
      await container?.remove({ force: true }).catch(() => {});
    }
  })();
  return proc;
}

/** `docker exec -i[t]` with the terminal attached (shells, tcpdump from `lab exec`). */
export function spawnInteractive(t: ProcessTarget, argv: string[]): LabProcess {
  const tty = process.stdin.isTTY ? ['-t'] : [];
  const child = spawn('docker', ['exec', '-i', ...tty, t.container, ...t.wrap, ...argv], { stdio: 'inherit' });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('error', () => resolve({ code: 127, signal: null }));
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  return { node: t.node, pid: child.pid ?? -1, stdout: new PassThrough(), stderr: new PassThrough(), stdin: null, exited, stop: async () => void child.kill('SIGTERM') };
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
