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
/** WEBRTC_LAB_REAPER=off: leave what a dead owner built in place (to inspect it; `clean` removes it). */
export const REAPER_ENV = 'WEBRTC_LAB_REAPER';

export interface Reaper {
  /** Bring-up finished: nothing the owner does from now on creates resources outside the lab. */
  built(): void;
  /** The lab is down (or handed over): the reaper exits without touching anything. Idempotent. */
  release(): void;
}

/** WEBRTC_LAB_REAPER_LOG=<file>: reapers append what they removed, and how long it took, there. */
export const REAPER_LOG_ENV = 'WEBRTC_LAB_REAPER_LOG';

export function startReaper(labId: string, backend: BackendName): Reaper {
  if (process.env[REAPER_ENV] === 'off') return { built: () => {}, release: () => {} };
  const main = bundlePath('reaper');
  if (!existsSync(main)) throw new LabError('not-found', `the lab's reaper bundle ${main} is missing`, 'run `npm run build`');
  const logFile = process.env[REAPER_LOG_ENV];
  const log = logFile ? openSync(logFile, 'a') : 'ignore';
  const child = spawn(process.execPath, [main, labId, String(process.pid), backend], { detached: true, stdio: ['pipe', 'ignore', log] });
  if (typeof log === 'number') closeSync(log);
  child.on('error', () => {}); // reported by its absence: `clean` still removes what it would have
  child.unref();
  const pipe = child.stdin as Socket;
  pipe.on('error', () => {});
  pipe.unref();
  let released = false;
  return {
    built: () => void (released || pipe.write(`${BUILT}\n`)),
    release: () => {
      if (released) return;
      released = true;
      pipe.end(`${RELEASE}\n`);
    },
  };
}
