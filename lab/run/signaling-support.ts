/** Which signaling protocols the lab's peers speak so far; a scenario asking for another is refused before anything is built. */
import { LabError } from '../model/errors.js';
import type { Scenario, SignalingProtocol } from '../model/scenario.js';

const SPOKEN: ReadonlySet<SignalingProtocol> = new Set<SignalingProtocol>([
  'lab',
  'kvs',
]);

export function checkSignalingSupported(scenario: Scenario): void {
  const wanted = scenario.signaling ?? 'lab';
  if (!SPOKEN.has(wanted)) throw new LabError('usage', `${scenario.source}: signaling: ${wanted} is not implemented yet`, `use one of: ${[...SPOKEN].join(', ')}`);
  // Over KVS only the werift pi-camera and viewer (and black-box command peers) speak it so far.
  const mute = wanted === 'kvs' ? [scenario.camera, ...scenario.viewers].find((p) => p.kind === 'chromium-viewer') : undefined;
  if (mute) throw new LabError('usage', `${scenario.source}: peers.${mute.name}: kind ${mute.kind} does not speak signaling: kvs yet`, 'use kind viewer (werift) or a command peer of your own');
}
