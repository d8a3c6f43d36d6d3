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
}
