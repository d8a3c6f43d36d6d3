// Running the lab CLI as an unprivileged user (user-namespace mode), for the tests that need it.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectPath } from '../../lab/util/paths.js';

export const USER = 'webrtclab';

/** Creates the user if needed and a world-readable copy of the built lab; returns how to remove it. */
export function prepareUnprivileged(): { copy: string; remove: () => void } {
  try {
    execFileSync('id', [USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', USER]);
  }
  // The checkout may sit in a folder other users cannot enter (mktemp -d): copy what runs.
  const copy = mkdtempSync(join(tmpdir(), 'lab-unprivileged-'));
  chmodSync(copy, 0o755);
  for (const part of ['package.json', 'bin', 'dist', 'topologies']) cpSync(projectPath(part), join(copy, part), { recursive: true });
  return { copy, remove: () => rmSync(copy, { recursive: true, force: true }) };
}

/** Runs the lab CLI as the unprivileged user, from the copy. */
export function asUser(copy: string, args: string[]) {
  const child = spawn('runuser', ['-u', USER, '--', process.execPath, join(copy, 'bin', 'lab.mjs'), ...args], { cwd: copy, env: { PATH: process.env.PATH, HOME: '/tmp' } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const done = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return { child, done, output: () => out };
}

/** Where the user's labs keep their state (stateRoot() as that user sees it). */
export function userStateRoot(): string {
  const uid = Number(execFileSync('id', ['-u', USER]).toString().trim());
  return join(tmpdir(), `webrtc-lab-${uid}`);
}
