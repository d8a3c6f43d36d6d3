/** The netns backend without root: commands re-run themselves in a user namespace (userns.ts). */
import type { UnprivilegedMode } from '../backend.js';
import { readLabState } from '../state.js';
import { isAlive } from './processes.js';
import { checkUserNamespaces, inUserNamespace, needsUserNamespace, rerunInLabOwner, rerunInUserNamespace } from './userns.js';

export const netnsUnprivileged: UnprivilegedMode = {
  async rerunIfNeeded(cliArgs) {
    if (!needsUserNamespace()) return null;
    await checkUserNamespaces();
    return rerunInUserNamespace(cliArgs);
  },
  ownerOf(labId) {
    if (inUserNamespace()) return null;
    const state = readLabState(labId);
    return state?.userNamespace ? state.ownerPid : null;
  },
  rerunInOwner: rerunInLabOwner,
  async stopOwner(pid) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
    const deadline = Date.now() + 10_000;
    while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  },
};
