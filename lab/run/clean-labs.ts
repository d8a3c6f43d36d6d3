/**
 * What `npm run lab -- clean [<id>...]` does, and what a lab's watchdog does when its owner died:
 * every backend removes what the labs left behind, then their scratch folders go.
 */
import type { Backend } from '../backends/backend.js';
import { allBackends } from '../backends/index.js';
import { removeScratchFolders } from './scratch.js';

/** Backends clean side by side; `backends` narrows it to the one that built a lab (the reaper knows it). */
export async function cleanLabs(labIds?: string[], backends?: Backend[]): Promise<string[]> {
  const removed = await Promise.all((backends ?? (await allBackends())).map((b) => b.clean(labIds)));
  return [...removed.flat(), ...removeScratchFolders(labIds)];
}
