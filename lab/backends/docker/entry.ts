/** The docker backend as the registry sees it: what it can do, and how to load it (dockerode only then). */
import type { BackendCapabilities } from '../backend.js';
import type { BackendEntry } from '../registry.js';

export const DOCKER_CAPABILITIES: BackendCapabilities = {
  customImages: true,
  // The lab's node image carries no browser.
  browsers: false,
  // One daemon refuses networks whose subnets overlap, and every lab of a topology has the same ones.
  concurrentLabs: false,
  // Handovers need a container moved between networks mid-call: not built on docker yet.
  callEvents: false,
  linkImpairments: { unsupported: "its node image carries no nfq-impair helper and no iptables, and netem is up to the daemon's kernel: impairments are built for the netns backend only so far" },
  privileges: 'access to a Docker daemon (root, or the docker group)',
  // Each container has /etc of its own: the lab's two files are bind-mounted there.
  hostFiles: 'per-node',
};

export const dockerEntry: BackendEntry = {
  name: 'docker',
  capabilities: DOCKER_CAPABILITIES,
  create: async () => new (await import('./docker-backend.js')).DockerBackend(),
};
