/**
 * What `npm run lab -- clean [<id>...]` does, and what a lab's watchdog does when its owner died:
 * every backend removes what the labs left behind, then their scratch folders go.
 */
import type { Backend } from '../backends/backend.js';
import { allBackends } from '../backends/index.js';
import { labsInUse } from '../backends/reap.js';
import { removeScratchFolders } from './scratch.js';

/** Backends clean side by side; `backends` narrows it to the one that built a lab (the reaper knows it). */
export async function cleanLabs(labIds?: string[], backends?: Backend[]): Promise<string[]> {
  const removed = await Promise.all((backends ?? (await allBackends())).map((b) => b.clean(labIds)));
  return [...removed.flat(), ...removeScratchFolders(labIds)];
}

/**
 * `clean` without ids: every lab except those a live process is still running (another terminal's
 * run, a test suite), unless `force`. Returns what was removed and which labs were left, by owner.
 */
export async function cleanAllLabs(force: boolean): Promise<{ removed: string[]; kept: { id: string; ownerPid: number }[] }> {
  const kept = force ? [] : labsInUse();
  if (!kept.length) return { removed: await cleanLabs(), kept };
  const backends = await allBackends();
  const keep = new Set(kept.map((k) => k.id));
  const ids = [...new Set((await Promise.all(backends.map((b) => b.list()))).flat().map((l) => l.id))].filter((id) => !keep.has(id));
  const removed = ids.length ? await cleanLabs(ids, backends) : [];
  // Scratch folders whose owner is gone; a live owner's stay (removeScratchFolders checks).
  return { removed: [...removed, ...removeScratchFolders()], kept };
}
