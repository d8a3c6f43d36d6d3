/** Total resident memory of the lab: this process plus every process it started inside a lab namespace. */
import { readFileSync, readdirSync } from 'node:fs';
import { pidsInNamespaces } from '../lab/backends/netns/processes.js';

function rssKb(pid: number | 'self'): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function parentOf(pid: number): number | null {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid ...": comm may hold spaces, so read after its ")".
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

/** True when pid is this process or one it started (however deep): other users' labs on a shared machine do not count. */
function descendsFromUs(pid: number): boolean {
  for (let p: number | null = pid, hops = 0; p && p > 1 && hops < 64; p = parentOf(p), hops++) if (p === process.pid) return true;
  return false;
}

export function labRssMb(): number {
  let namespaces: string[] = [];
  try {
    namespaces = readdirSync('/run/netns').filter((n) => n.startsWith('wrl-'));
  } catch {
    // none
  }
  const kb = rssKb('self') + pidsInNamespaces(namespaces).filter(descendsFromUs).reduce((sum, pid) => sum + rssKb(pid), 0);
  return Math.round(kb / 1024);
}

/** Samples labRssMb every `everyMs` until stopped; returns the peak. */
export function samplePeak(everyMs = 250): () => number {
  let peak = labRssMb();
  const timer = setInterval(() => (peak = Math.max(peak, labRssMb())), everyMs);
  return () => {
    clearInterval(timer);
    return peak;
  };
}
