import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { LabError } from '../model/errors.js';

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Throw a LabError when the command exits non-zero (default true). */
  check?: boolean;
  /** What the command was for, to lead the error message ("create links"). */
  purpose?: string;
  /** Sees standard output as it arrives (it is still collected). */
  onStdout?: (chunk: string) => void;
}

/** Runs a command to completion and captures its output; never leaves it running past the timeout. */
export function runCommand(argv: string[], opts: RunOptions = {}): Promise<CommandResult> {
  const { check = true, timeoutMs = 30_000 } = opts;
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      opts.onStdout?.(d);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        err.code === 'ENOENT'
          ? new LabError('missing-tool', `${argv[0]} is not installed (needed to ${opts.purpose ?? 'run the lab'})`, missingToolHint(argv[0]))
          : err,
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = { code, signal, stdout, stderr };
      if (check && code !== 0) {
        const what = opts.purpose ? `failed to ${opts.purpose}` : `command failed`;
        const why = signal === 'SIGKILL' ? `timed out after ${timeoutMs} ms` : (stderr.trim() || stdout.trim() || `exit code ${code}`);
        reject(new LabError('command-failed', `${what}: ${argv.join(' ')}: ${why}`));
      } else resolve(result);
    });
    child.stdin.on('error', () => {}); // a command that exits before reading its input is reported by its exit code
    child.stdin.end(opts.input ?? '');
  });
}

const DEBIAN_PACKAGES: Record<string, string> = {
  ip: 'iproute2',
  nft: 'nftables',
  turnserver: 'coturn',
  turnutils_natdiscovery: 'coturn',
  nsenter: 'util-linux',
  unshare: 'util-linux',
  tcpdump: 'tcpdump',
  tshark: 'tshark',
  openssl: 'openssl',
  chromium: 'chromium',
  dockerd: 'docker.io',
};

export function missingToolHint(tool: string): string {
  const pkg = DEBIAN_PACKAGES[tool.split('/').pop()!];
  return pkg ? `install it: apt-get install ${pkg}` : `install ${tool}`;
}

/** The executable `tool` resolves to on PATH (or its own path when it has a slash), or null. */
export function findOnPath(tool: string, path = process.env.PATH ?? ''): string | null {
  const candidates = tool.includes('/') ? [tool] : path.split(delimiter).filter(Boolean).map((dir) => join(dir, tool));
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK);
      if (statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * Throws the same "not installed" LabError a run of `tool` would, without starting it: a check
 * before every run costs a lookup, not a process (5-40 ms each on a busy machine).
 */
export function requireTool(tool: string, purpose: string): void {
  if (findOnPath(tool) === null) throw new LabError('missing-tool', `${tool} is not installed (needed to ${purpose})`, missingToolHint(tool));
}
