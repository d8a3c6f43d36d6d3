/** How commands get the privileges they need when the user is not root (see backends/netns/userns.ts). */
import { readLabState } from '../backends/state.js';
import { isAlive } from '../backends/netns/processes.js';
import { checkUserNamespaces, inUserNamespace, needsUserNamespace, rerunInUserNamespace } from '../backends/netns/userns.js';

/** For commands that build labs: re-runs the command in a user namespace when needed; null when not. */
export async function rerunUnprivileged(backend: string, argv: string[]): Promise<number | null> {
  if (backend !== 'netns' || !needsUserNamespace()) return null;
  await checkUserNamespaces();
  return rerunInUserNamespace(argv);
}

/** The pid owning a lab built in a user namespace, when this process is outside it; else null. */
export function userNamespaceOwner(backend: string, labId: string): number | null {
  if (backend !== 'netns' || inUserNamespace()) return null;
  const state = readLabState(labId);
  return state?.userNamespace ? state.ownerPid : null;
}

/** Asks the owner of a user-namespace lab to tear it down, and waits until it has. */
export async function stopOwner(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // already gone
  }
  const deadline = Date.now() + 10_000;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}
