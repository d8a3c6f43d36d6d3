/** Which signaling protocols the lab's peers speak so far; a scenario asking for another is refused before anything is built. */
import { LabError } from '../model/errors.js';
import type { PeerSpec, Scenario, SignalingProtocol } from '../model/scenario.js';

/** Protocol -> the lab's own peer kinds that speak it. */
const SPOKEN: ReadonlyMap<SignalingProtocol, ReadonlySet<PeerSpec['kind']>> = new Map<SignalingProtocol, ReadonlySet<PeerSpec['kind']>>([
  ['lab', new Set<PeerSpec['kind']>(['pi-camera', 'viewer', 'libwebrtc-viewer', 'chromium-viewer', 'firefox-viewer', 'command'])],
  ['mqtt', new Set<PeerSpec['kind']>(['pi-camera', 'viewer', 'chromium-viewer', 'command'])],
  ['whep', new Set<PeerSpec['kind']>(['pi-camera', 'viewer', 'chromium-viewer', 'command'])],
  // The werift peers over the official KVS JS SDK (peers/lib/kvs-signaling.ts), the Chromium viewer over its browser build (peers/chromium/kvs-page.ts).
  ['kvs', new Set<PeerSpec['kind']>(['pi-camera', 'viewer', 'chromium-viewer', 'command'])],
]);

/** The user's own peers (a contract command, a black-box app, a browser page) speak what they speak. */
const USERS_OWN: ReadonlySet<PeerSpec['kind']> = new Set<PeerSpec['kind']>(['command', 'app', 'browser']);

export function checkSignalingSupported(scenario: Scenario): void {
  const wanted = scenario.signaling ?? 'lab';
  const kinds = SPOKEN.get(wanted);
  if (!kinds) throw new LabError('usage', `${scenario.source}: signaling: ${wanted} is not implemented yet`, `use one of: ${[...SPOKEN.keys()].join(', ')}`);
  for (const p of [scenario.camera, ...scenario.viewers]) {
    if (wanted !== 'lab' && p.kind === 'pi-camera' && p.stack === 'libwebrtc') throw new LabError('usage', `${scenario.source}: peers.${p.name}: the libwebrtc pi-camera speaks only signaling: lab so far`, 'use `stack: werift` for mqtt and whep');
    if (!USERS_OWN.has(p.kind) && !kinds.has(p.kind)) throw new LabError('usage', `${scenario.source}: peers.${p.name}: a ${p.kind} peer does not speak signaling: ${wanted} yet`, `use kind ${[...kinds].filter((k) => k !== 'command').join(' or ')}, or a command peer that speaks it (docs/protocols.md)`);
  }
}
