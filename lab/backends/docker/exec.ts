/** A command in a container through the Docker API (no docker CLI process per call). */
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type Dockerode from 'dockerode';
import { LabError } from '../../model/errors.js';
import type { CommandResult, RunOptions } from '../../util/run-command.js';
import { envList } from './client.js';

export async function execIn(docker: Dockerode, container: string, node: string, argv: string[], opts: RunOptions = {}): Promise<CommandResult> {
  const { check = true, timeoutMs = 30_000, purpose = `run ${argv[0]} on ${node}` } = opts;
  const exec = await docker.getContainer(container).exec({
    Cmd: argv,
    Env: envList(opts.env),
    AttachStdout: true,
    AttachStderr: true,
    AttachStdin: opts.input !== undefined,
  });
  const stream = await exec.start({ hijack: opts.input !== undefined, stdin: opts.input !== undefined });
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d) => {
    stdout += d;
    opts.onStdout?.(String(d));
  });
  err.on('data', (d) => (stderr += d));
  docker.modem.demuxStream(stream, out, err);
  if (opts.input !== undefined) (stream as unknown as NodeJS.WritableStream).end(opts.input);
  const done = new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', () => resolve());
  });
  const watch = watchExit(exec, stream, done, 250);
  const timedOut = await Promise.race([done.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), timeoutMs).unref())]);
  watch.stop();
  let code: number | null = null;
  // The stream ends a moment before Docker records the exit code.
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
 * The daemon does not always end the stream of an exec in a container of `--pid host` (the lab's
 * switch) once its process is gone (moby/moby#42328): while the stream is open, asks every
 * `everyMs` whether the exec still runs, and closes the stream a moment after it does not.
 */
export function watchExit(exec: Dockerode.Exec, stream: NodeJS.ReadableStream, ended: Promise<void>, everyMs: number): { stop(): void } {
  let on = true;
  void ended.then(() => (on = false));
  void (async () => {
    while (on) {
      // Unref'd: the exec's open stream keeps the process alive while it matters; the watcher alone
      // must not (a pending 1 s poll held every docker command up to a second after its lab was down).
      await sleep(everyMs, undefined, { ref: false });
      if (!on) return;
      const info = await exec.inspect().catch(() => null);
      if (info && info.Running) continue;
      await sleep(200, undefined, { ref: false });
      if (on) (stream as unknown as { destroy(): void }).destroy();
      return;
    }
  })();
  return { stop: () => void (on = false) };
}
