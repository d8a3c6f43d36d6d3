/** Whether a backend can run a scenario's peers, asked of its capabilities (never of its name). */
import type { Backend } from '../backends/backend.js';
import { backendsWith } from '../backends/registry.js';
import { LabError } from '../model/errors.js';
import { BROWSER_VIEWER_KINDS, type Scenario } from '../model/scenario.js';

/** Throws a usage LabError naming the peer, what it needs, and the backends that have it. */
export function checkBackendFits(scenario: Scenario, backend: Pick<Backend, 'name' | 'capabilities'>): void {
  const peers = [scenario.camera, ...scenario.viewers];
  const withImage = peers.find((p) => p.image);
  if (withImage && !backend.capabilities.customImages) {
    throw new LabError(
      'usage',
      `${scenario.source}: peers.${withImage.name}.image (${withImage.image}) needs a backend that runs peer images, and ${backend.name} does not`,
      `run with ${alternatives('customImages')}, or give the peer a command instead`,
    );
  }
  const browser = peers.find((p) => BROWSER_VIEWER_KINDS.includes(p.kind));
  if (browser && !backend.capabilities.browsers) {
    throw new LabError(
      'usage',
      `${scenario.source}: peers.${browser.name} is a ${browser.kind === 'firefox-viewer' ? 'Firefox' : 'Chromium'} viewer, and the ${backend.name} backend runs no browsers (its hosts have none)`,
      `run it with ${alternatives('browsers')}`,
    );
  }
}

function alternatives(capability: 'customImages' | 'browsers'): string {
  return backendsWith(capability).map((b) => `--backend ${b}`).join(' or ') || 'a backend that has it';
}
