/** The docker backend as the registry sees it: what it can do, and how to load it (dockerode only then). */
import type { BackendCapabilities } from '../backend.js';
import type { BackendEntry } from '../registry.js';

export const DOCKER_CAPABILITIES: BackendCapabilities = {
  customImages: true,
  // The lab's node image carries no browser.
  browsers: false,
  // No Docker network: each lab's bridges are in its own switch container (plan.ts), so labs of
  // one address plan do not meet.
  concurrentLabs: true,
  // nft and ip in the containers as on netns; a handover is the netns one, run from the switch
  // container (DockerLab.moveHost).
  callEvents: true,
  // The same plan as netns (network/impair): netem where the daemon's kernel has it, else
  // iptables (in the image) feeding nfq-impair, run from the project folder every container mounts.
  linkImpairments: true,
  privileges: 'access to a Docker daemon (root, or the docker group)',
  // Each container has /etc of its own: the lab's two files are bind-mounted there.
  hostFiles: 'per-node',
};

export const dockerEntry: BackendEntry = {
  name: 'docker',
  capabilities: DOCKER_CAPABILITIES,
  create: async () => new (await import('./docker-backend.js')).DockerBackend(),
};
