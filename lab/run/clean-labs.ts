/**
 * What `npm run lab -- clean [<id>...]` does, and what a lab's watchdog does when its owner died:
 * every backend removes what the labs left behind, then their scratch folders go.
 */
import { allBackends } from '../backends/index.js';
import { removeScratchFolders } from './scratch.js';

export async function cleanLabs(labIds?: string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const backend of await allBackends()) removed.push(...(await backend.clean(labIds)));
  removed.push(...removeScratchFolders(labIds));
  return removed;
}
