/**
 * Each lab's reaper: a small process started before the lab is built, detached in its own process
 * group (Ctrl-C to the terminal and kill -9 of the owner both leave it alone). It holds the read
 * end of a pipe whose write end only the owner has: the pipe closes when the owner dies, by any
 * means, and the reaper then removes the lab exactly as `clean <id>` would (lab/run/reaper-main.ts).
 * A lab taken down normally releases its reaper, which exits without doing anything.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import type { BackendName } from '../backends/backend.js';
import type { Socket } from 'node:net';
import { LabError } from '../model/errors.js';
import { bundlePath } from '../util/paths.js';

export const RELEASE = 'release';
export const BUILT = 'built';
/** A shared reaper's lines: a lab it watches from now on, and a lab that is down. */
export const LAB = 'lab';
export const DONE = 'done';
/** WEBRTC_LAB_REAPER=off: leave what a dead owner built in place (to inspect it; `clean` removes it). */
export const REAPER_ENV = 'WEBRTC_LAB_REAPER';

export interface Reaper {
  /** Bring-up finished: nothing the owner does from now on creates resources outside the lab. */
  built(): void;
  /**
   * The lab is down (or handed over): the reaper exits without touching anything. Resolves once it
   * has exited (at most RELEASE_WAIT_MS), so "the lab is down" includes its reaper. Idempotent.
   */
  release(): Promise<void>;
}

/** WEBRTC_LAB_REAPER_LOG=<file>: reapers append what they removed, and how long it took, there. */
export const REAPER_LOG_ENV = 'WEBRTC_LAB_REAPER_LOG';

const RELEASE_WAIT_MS = 2000;

/**
 * The netns reaper until its owner dies: reads the pipe ("built", "release"); at its end, or when
 * the owner's pid is gone (checked every 0.25 s, should anyone else hold the pipe open), it becomes
 * the Node reaper (reaper-main.ts), told whether the lab was built. A few ms of CPU instead of a
 * Node process per run. Arguments: node, the reaper bundle, lab id, owner pid, backend.
 */
export const WATCHER = [
  'built=',
  'while :; do',
  '  if IFS= read -r -t 0.25 line; then',
  `    case "$line" in ${RELEASE}) exit 0;; ${BUILT}) built=${BUILT};; esac`,
  '  elif [ $? -gt 128 ]; then kill -0 "$4" 2>/dev/null || break',
  '  else break',
  '  fi',
  'done',
  'exec "$1" "$2" "$3" "$4" "$5" $built',
].join('\n');

export function startReaper(labId: string, backend: BackendName): Reaper {
  const child = spawnReaper(labId, backend);
  if (!child) return { built: () => {}, release: async () => {} };
  let released: Promise<void> | null = null;
  return {
    built: () => void (released || child.write(`${BUILT}\n`)),
    release: () => (released ??= child.end()),
  };
}

/**
 * One reaper for many labs, made one after the other (a matrix worker's cells): one process
 * instead of one per lab. forLab() names a lab to it before the lab exists; that lab's release()
 * tells it the lab is down and resolves at once. close() ends the reaper (after the last lab).
 */
export interface SharedReaper {
  forLab(labId: string): Reaper;
  close(): Promise<void>;
}

export function startSharedReaper(backend: BackendName): SharedReaper {
  const child = spawnReaper('-', backend);
  if (!child) return { forLab: () => ({ built: () => {}, release: async () => {} }), close: async () => {} };
  let closed: Promise<void> | null = null;
  return {
    forLab: (labId) => {
      if (closed) throw new Error(`a lab (${labId}) given to a reaper that was closed`);
      child.write(`${LAB} ${labId}\n`);
      let done = false;
      return {
        built: () => void (done || child.write(`${BUILT} ${labId}\n`)),
        release: async () => void (done || ((done = true), child.write(`${DONE} ${labId}\n`))),
      };
    },
    close: () => (closed ??= child.end()),
  };
}

interface ReaperChild {
  write(line: string): void;
  /** "release", then resolves once it has exited (at most RELEASE_WAIT_MS). */
  end(): Promise<void>;
}

function spawnReaper(labArg: string, backend: BackendName): ReaperChild | null {
  if (process.env[REAPER_ENV] === 'off') return null;
  const main = bundlePath('reaper');
  if (!existsSync(main)) throw new LabError('not-found', `the lab's reaper bundle ${main} is missing`, 'run `npm run build`');
  const logFile = process.env[REAPER_LOG_ENV];
  const log = logFile ? openSync(logFile, 'a') : 'ignore';
  const reaperArgv = [process.execPath, main, labArg, String(process.pid), backend];
  // netns: a bash loop holds the pipe and starts Node only once the owner is gone (cleaning a netns
  // lab needs no warm client); docker: Node from the start, dockerode loaded before it is needed.
  // A shared reaper (labArg '-') reads lab names from the pipe: Node from the start (one per worker).
  const argv = backend === 'netns' && labArg !== '-' ? ['bash', '-c', WATCHER, 'webrtc-lab-reaper', ...reaperArgv] : reaperArgv;
  const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: ['pipe', 'ignore', log] });
  if (typeof log === 'number') closeSync(log);
  child.on('error', () => {}); // reported by its absence: `clean` still removes what it would have
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  child.unref();
  const pipe = child.stdin as Socket;
  pipe.on('error', () => {});
  pipe.unref();
  return {
    write: (line) => void pipe.write(line),
    end: () => {
      pipe.end(`${RELEASE}\n`);
      // Held from here until it has gone: an awaiting caller must not see an empty event loop.
      child.ref();
      let timer: NodeJS.Timeout | undefined;
      const cap = new Promise<void>((resolve) => (timer = setTimeout(resolve, RELEASE_WAIT_MS)));
      return Promise.race([exited, cap]).finally(() => clearTimeout(timer));
    },
  };
}
