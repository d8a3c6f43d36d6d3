/** Finding and stopping the processes that live in the lab's namespaces. */
import { readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';

export const NETNS_DIR = '/run/netns';

export function nsPath(ns: string): string {
  return `${NETNS_DIR}/${ns}`;
}

/** PIDs whose network namespace is one of these (like `ip netns pids`, for many at once). */
export function pidsInNamespaces(namespaces: string[]): number[] {
  const inodes = new Set<string>();
  for (const ns of namespaces) {
    try {
      inodes.add(`net:[${statSync(nsPath(ns)).ino}]`);
    } catch {
      // already gone
    }
  }
  if (!inodes.size) return [];
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (inodes.has(readlinkSync(`/proc/${entry}/ns/net`))) pids.push(Number(entry));
    } catch {
      // exited meanwhile, or not ours to read
    }
  }
  return pids;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/**
 * A zombie has exited: only its parent has yet to collect it. Orphans of a dead lab owner are
 * collected by PID 1, which in containers may be slow to do it; waiting for them is pointless.
 */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

/** SIGTERM, wait up to graceMs, then SIGKILL whatever is left. */
export async function stopPids(pids: number[], graceMs = 1000): Promise<void> {
  const signal = (sig: NodeJS.Signals) =>
    pids.forEach((pid) => {
      try {
        process.kill(pid, sig);
      } catch {
        // already gone
      }
    });
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (pids.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  if (pids.some(isAlive)) {
    signal('SIGKILL');
    const hard = Date.now() + 2000;
    while (pids.some(isAlive) && Date.now() < hard) await new Promise((r) => setTimeout(r, 10));
  }
}
