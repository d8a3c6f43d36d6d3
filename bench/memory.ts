/** Total resident memory of the lab: this process plus every process inside a lab namespace. */
import { readFileSync, readdirSync } from 'node:fs';
import { pidsInNamespaces } from '../lab/backends/netns/processes.js';

function rssKb(pid: number | 'self'): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

export function labRssMb(): number {
  let namespaces: string[] = [];
  try {
    namespaces = readdirSync('/run/netns').filter((n) => n.startsWith('wrl-'));
  } catch {
    // none
  }
  const kb = rssKb('self') + pidsInNamespaces(namespaces).reduce((sum, pid) => sum + rssKb(pid), 0);
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
