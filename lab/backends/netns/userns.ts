/**
 * Non-root use of the netns backend. The lab re-runs itself inside a new user namespace (with its
 * own network and mount namespaces, and a private /run) where it is root, so it builds namespaces
 * and NAT rules without any privilege on the machine. Those namespaces live as long as that
 * process: `up` stays in the foreground, and `exec`/`down` from another terminal join or signal it.
 */
import { spawn } from 'node:child_process';
import { LabError } from '../../model/errors.js';
import { stateRoot } from '../state.js';
import { isAlive } from './processes.js';

export const USERNS_ENV = 'WEBRTC_LAB_IN_USERNS';

export function inUserNamespace(): boolean {
  return process.env[USERNS_ENV] === '1';
}

/** Not root and not yet inside the lab's user namespace. */
export function needsUserNamespace(): boolean {
  return process.getuid?.() !== 0 && !inUserNamespace();
}

function run(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: 'inherit', env });
    // The child gets Ctrl-C from the terminal itself; a SIGTERM sent to us is passed on.
    const forward = () => child.kill('SIGTERM');
    process.on('SIGTERM', forward);
    process.on('SIGINT', () => {});
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      process.off('SIGTERM', forward);
      resolve(code ?? (signal === 'SIGTERM' ? 143 : signal === 'SIGINT' ? 130 : 1));
    });
  });
}

function labEnv(): NodeJS.ProcessEnv {
  // Keep state where the unprivileged user can find it from other terminals.
  return { ...process.env, [USERNS_ENV]: '1', WEBRTC_LAB_STATE_DIR: stateRoot() };
}

/** Runs this CLI again as root of a fresh user namespace; returns its exit code. */
export async function rerunInUserNamespace(cliArgs: string[]): Promise<number> {
  const argv = [
    'unshare', '--user', '--map-root-user', '--net', '--mount', '--propagation', 'private', '--',
    'sh', '-c', 'mount -t tmpfs webrtc-lab /run && exec "$@"', 'sh',
    process.execPath, ...process.execArgv, process.argv[1], ...cliArgs,
  ];
  try {
    return await run(argv, labEnv());
  } catch (err) {
    throw userNamespaceUnavailable((err as Error).message);
  }
}

/** Runs this CLI inside the user namespace of the process that owns a lab (for `exec`). */
export async function rerunInLabOwner(ownerPid: number, cliArgs: string[]): Promise<number> {
  if (!isAlive(ownerPid)) throw new LabError('not-found', `the process that owned this lab (pid ${ownerPid}) is gone, and its namespaces with it`, "run `npm run lab -- clean <lab-id>` to remove its state");
  return run(['nsenter', `--target=${ownerPid}`, '--user', '--mount', '--preserve-credentials', '--', process.execPath, ...process.execArgv, process.argv[1], ...cliArgs], labEnv());
}

/** Quick probe: can this user create a user namespace at all? */
export async function checkUserNamespaces(): Promise<void> {
  const code = await new Promise<number>((resolve) => {
    const child = spawn('unshare', ['--user', '--map-root-user', '--net', 'true'], { stdio: 'ignore' });
    child.on('error', () => resolve(127));
    child.on('exit', (c) => resolve(c ?? 1));
  });
  if (code !== 0) throw userNamespaceUnavailable(code === 127 ? 'unshare (util-linux) is not installed' : 'the kernel refused to create a user namespace');
}

function userNamespaceUnavailable(why: string): LabError {
  return new LabError(
    'permission',
    `the netns backend needs CAP_NET_ADMIN, and running without root through a user namespace failed: ${why}`,
    'run as root, or allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1 and user.max_user_namespaces > 0), or use --backend docker',
  );
}
