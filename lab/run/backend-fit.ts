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
  if (scenario.impairments?.length && backend.capabilities.linkImpairments !== true) {
    const why = backend.capabilities.linkImpairments?.unsupported ?? 'it declares no support for them';
    throw new LabError(
      'usage',
      `${scenario.source}: impairments: the ${backend.name} backend cannot impair links (${why})`,
      `run it with ${backendsWith('linkImpairments').map((b) => `--backend ${b}`).join(' or ') || 'a backend that can'}, or drop the impairments`,
    );
  }
  const browser = peers.find((p) => BROWSER_VIEWER_KINDS.includes(p.kind) || p.kind === 'browser');
  if (browser && !backend.capabilities.browsers) {
    throw new LabError(
      'usage',
      `${scenario.source}: peers.${browser.name} is ${browser.kind === 'browser' ? 'a browser peer (kind: browser)' : `a ${browser.kind === 'firefox-viewer' ? 'Firefox' : 'Chromium'} viewer`}, and the ${backend.name} backend runs no browsers (its hosts have none)`,
      `run it with ${alternatives('browsers')}`,
    );
  }
  // The KVS emulator and the SDK's peers are built and tested on netns only (docker's offline image is not).
  if (scenario.signaling === 'kvs' && backend.name !== 'netns') {
    throw new LabError('usage', `${scenario.source}: signaling: kvs runs on the netns backend only so far, not on ${backend.name}`, 'run it with --backend netns');
  }
  const event = scenario.events?.[0];
  if (event && !backend.capabilities.callEvents) {
    throw new LabError(
      'usage',
      `${scenario.source}: events[${event.index}] (${event.label}): the ${backend.name} backend cannot change the network during a call (no rebind, handover, link down, block or TURN stop there yet)`,
      `run it with ${alternatives('callEvents')}`,
    );
  }
}

function alternatives(capability: 'customImages' | 'browsers' | 'callEvents'): string {
  return backendsWith(capability).map((b) => `--backend ${b}`).join(' or ') || 'a backend that has it';
}
