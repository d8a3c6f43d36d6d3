/** How commands get the privileges they need when the user is not root (Backend.unprivileged). */
import type { Backend } from '../backends/backend.js';

/** For commands that build labs: re-runs the command where the backend has its privileges, when needed; null when not. */
export async function rerunUnprivileged(backend: Backend, argv: string[]): Promise<number | null> {
  return backend.unprivileged ? backend.unprivileged.rerunIfNeeded(argv) : null;
}

/** A lab that lives inside another process (netns in a user namespace): how to reach it; else null. */
export function labOwner(backend: Backend, labId: string): { pid: number; stop(): Promise<void>; rerun(argv: string[]): Promise<number> } | null {
  const mode = backend.unprivileged;
  const pid = mode?.ownerOf(labId) ?? null;
  if (!mode || pid === null) return null;
  return { pid, stop: () => mode.stopOwner(pid), rerun: (argv) => mode.rerunInOwner(pid, argv) };
}
