/** Which signaling protocols the lab's peers speak so far; a scenario asking for another is refused before anything is built. */
import { LabError } from '../model/errors.js';
import type { PeerKind, Scenario, SignalingProtocol } from '../model/scenario.js';

const SPOKEN: ReadonlySet<SignalingProtocol> = new Set<SignalingProtocol>([
  'lab',
  'whep',
]);

/** Lab peers that do not speak a protocol yet (`command` peers are the user's: they speak what they speak). */
const NOT_SPOKEN_BY: Partial<Record<SignalingProtocol, readonly PeerKind[]>> = {
  whep: ['chromium-viewer'],
};

export function checkSignalingSupported(scenario: Scenario): void {
  const wanted = scenario.signaling ?? 'lab';
  if (!SPOKEN.has(wanted)) throw new LabError('usage', `${scenario.source}: signaling: ${wanted} is not implemented yet`, `use one of: ${[...SPOKEN].join(', ')}`);
  const mute = [scenario.camera, ...scenario.viewers].find((p) => NOT_SPOKEN_BY[wanted]?.includes(p.kind));
  if (mute) throw new LabError('usage', `${scenario.source}: peers.${mute.name} (kind ${mute.kind}) does not speak signaling: ${wanted} yet`, `use kind viewer, or signaling: lab`);
}
