import { spawn } from 'node:child_process';
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
