/**
 * A run's scratch folder (certificates, pcaps before they are kept): under the lab's state root,
 * which every backend shares with its processes (Docker mounts it), named run-<labId>-<ownerPid>-*
 * so `clean` can tell whose it is and whether its owner still lives.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { stateRoot } from '../backends/state.js';
import { isAlive } from '../backends/netns/processes.js';

const SCRATCH = /^run-([0-9a-f]{4,16})-(\d+)-/;

export function makeScratch(labId: string): string {
  mkdirSync(stateRoot(), { recursive: true, mode: 0o700 });
  return mkdtempSync(join(stateRoot(), `run-${labId}-${process.pid}-`));
}

/**
 * Removes scratch folders: of the given labs whatever their owner, else every one whose owner is
 * dead (a live owner is still using its own). Returns what it removed, for `clean` to print.
 */
export function removeScratchFolders(labIds?: string[]): string[] {
  let entries: string[];
  try {
    entries = readdirSync(stateRoot());
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of entries) {
    const m = SCRATCH.exec(name);
    // Folders of older versions (run-XXXXXX) name no owner: only a clean of every lab takes them.
    const legacy = !m && /^run-[A-Za-z0-9]{6}$/.test(name);
    if (!m && !legacy) continue;
    if (labIds ? !m || !labIds.includes(m[1]) : m && isAlive(Number(m[2]))) continue;
    rmSync(join(stateRoot(), name), { recursive: true, force: true });
    removed.push(`scratch folder ${name}`);
  }
  return removed;
}
