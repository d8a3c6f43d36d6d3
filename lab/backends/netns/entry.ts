/** The netns backend as the registry sees it: what it can do, and how to load it. */
import type { BackendCapabilities } from '../backend.js';
import type { BackendEntry } from '../registry.js';

export const NETNS_CAPABILITIES: BackendCapabilities = {
  customImages: false,
  // Chromium runs on the machine itself, inside the host's namespace.
  browsers: true,
  concurrentLabs: true,
  callEvents: true,
  // netem where the kernel has it, else nfq-impair in the node's namespace.
  linkImpairments: true,
  privileges: 'CAP_NET_ADMIN: root, or a user namespace of its own (the lab re-runs itself in one)',
  // Every process gets a private mount namespace with the lab's files over /etc (no container /etc of its own).
  hostFiles: 'per-process',
};

export const netnsEntry: BackendEntry = {
  name: 'netns',
  capabilities: NETNS_CAPABILITIES,
  create: async () => new (await import('./netns-backend.js')).NetnsBackend(),
};
