/**
 * Labs whose owner died without taking them down: normally their reaper (lab/run/reaper.ts)
 * removes them within a second or two; this finds the ones it could not (its process was killed
 * too, the machine slept...) so a backend can remove them before they get in a new lab's way.
 * A lab handed over by `up` outlives its owner on purpose and is never reaped.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Backend } from './backend.js';
import { isAlive } from './netns/processes.js';
import { labDir, listLabIds, readLabState } from './state.js';

const HANDED_OVER = 'handed-over';

/** Marks a lab as kept on purpose after its owner exits (`up`): `down` or `clean` removes it. */
export function markHandedOver(labId: string): void {
  writeFileSync(join(labDir(labId), HANDED_OVER), `${process.pid}\n`);
}

const handedOver = (id: string) => existsSync(join(labDir(id), HANDED_OVER));

/** Labs of this backend (by their state under the state root) whose owner is gone. */
export function abandonedLabs(backend: Backend['name']): string[] {
  return listLabIds().filter((id) => {
    const state = readLabState(id);
    return state !== null && state.backend === backend && !isAlive(state.ownerPid) && !handedOver(id);
  });
}

/** Labs a live process still runs and did not hand over (`up`): someone's run or test is using them. */
export function labsInUse(): { id: string; ownerPid: number }[] {
  return listLabIds().flatMap((id) => {
    const state = readLabState(id);
    const inUse = state !== null && isAlive(state.ownerPid) && !handedOver(id);
    return inUse ? [{ id, ownerPid: state.ownerPid }] : [];
  });
}

/** Removes this backend's abandoned labs; returns what was removed (empty when there were none). */
export async function reapAbandonedLabs(backend: Backend): Promise<string[]> {
  const ids = abandonedLabs(backend.name);
  return ids.length ? backend.clean(ids) : [];
}
