/**
 * Docker networks of labs: labs no longer use any (plan.ts), but one built by an older version may
 * still be on the daemon, and `clean` removes it by label.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type Dockerode from 'dockerode';
import { LABEL, LABEL_LAB } from './plan.js';

/** Lab networks on the daemon (of the given labs, default every lab). */
export async function labNetworks(docker: Dockerode, labIds?: string[]): Promise<Dockerode.NetworkInspectInfo[]> {
  return (await docker.listNetworks({ filters: { label: [LABEL] } })).filter((n) => !labIds || labIds.includes(n.Labels?.[LABEL_LAB] ?? ''));
}

/**
 * A network outlives its containers for a moment (Docker releases endpoints asynchronously, and a
 * container still being removed keeps its own), and a network left behind blocks every later lab
 * with the same subnet: retry for a few seconds, force-detaching whatever is still attached.
 */
export async function removeNetwork(docker: Dockerode, name: string): Promise<void> {
  const network = docker.getNetwork(name);
  for (let attempt = 1; ; attempt++) {
    try {
      return await network.remove();
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return;
      if (attempt === 10) throw err;
    }
    const attached = Object.keys(((await network.inspect().catch(() => ({}))) as { Containers?: Record<string, unknown> }).Containers ?? {});
    await Promise.all(attached.map((id) => network.disconnect({ Container: id, Force: true }).catch(() => {})));
    await sleep(100 * attempt);
  }
}
