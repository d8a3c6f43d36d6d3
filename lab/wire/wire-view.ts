/** A run's facts -> the classifier's context, and the wire's view against the peers' own reports. */
import type { PairView, SessionWire, WireDirection } from '../model/run-result.js';
import { relays } from '../model/run-result.js';
import type { Scenario } from '../model/scenario.js';
import { upstreamRouters, type Topology } from '../model/topology.js';
import { STUN_PORT, TLS_PORT } from '../services/coturn.js';
import { TLS_ALT_PORT } from '../services/lab-services.js';
import type { WireContext } from './classify.js';
import { loggedAllocations } from './coturn-log.js';

/** What the wire oracle saw of a run, or why it saw nothing. */
export type WireView =
  | { captured: true; sessions: SessionWire[]; packets: number; dropped: number; files: string[]; waitMs: number; stopMs: number; parseMs: number }
  | { captured: false; reason: string };

/** The addresses a host's packets carry on the internet: its outermost NAT's, or its own. */
export function publicAddresses(t: Topology, host: string): string[] {
  const outer = upstreamRouters(t, host).at(-1);
  return outer ? outer.outside.addresses : (t.hosts.find((h) => h.name === host)?.iface.addresses ?? []);
}

export function wireContext(scenario: Scenario, coturnLog: string[], t0: number): WireContext {
  const t = scenario.topology;
  const [turn, web] = t.services.addresses;
  return {
    peers: [scenario.camera, ...scenario.viewers].map((p) => ({ name: p.name, publicAddresses: publicAddresses(t, p.host) })),
    sessions: scenario.viewers.map((v) => ({ viewer: v.name, camera: scenario.camera.name })),
    // TURN over TLS: 5349 on both addresses, 443 on the first (lab-services.ts redirects it).
    turn: { addresses: t.services.addresses, port: STUN_PORT, tls: [`${turn}:${TLS_PORT}`, `${web}:${TLS_PORT}`, `${turn}:${TLS_ALT_PORT}`] },
    loggedAllocations: loggedAllocations(coturnLog),
    t0,
  };
}

/**
 * Where the wire and the peers disagree. A side sends on its own selected pair, so the direction
 * viewer -> camera is the viewer's pair and camera -> viewer the camera's.
 */
export function disagreements(wire: SessionWire, peers: { outcome: string; viewer: PairView | null; camera: PairView | null }): string[] {
  const out: string[] = [];
  if (wire.outcome !== null && wire.outcome !== peers.outcome) {
    const noMedia = !wire.directions.some((d) => d.rtp.packets);
    out.push(
      peers.outcome === 'failed'
        ? `outcome: the peers failed, yet the wire saw a working ${wire.outcome} path (DTLS application data both ways${noMedia ? ', no SRTP' : ''}): what failed is above the path`
        : `outcome: the wire says ${wire.outcome}, the peers ${peers.outcome}`,
    );
  }
  const [v2c, c2v] = wire.directions;
  out.push(...directionDisagrees(v2c, peers.viewer), ...directionDisagrees(c2v, peers.camera));
  return out;
}

function directionDisagrees(d: WireDirection, sender: PairView | null): string[] {
  if (!sender || !d.path) return [];
  const said = relays(sender) ? 'relay' : 'direct';
  if (said !== d.path.kind) return [`${d.from} -> ${d.to}: ${d.from}'s selected pair is ${said}, its packets went ${d.path.kind}`];
  // The sender's own relay (its local candidate) is the path's first allocation when it relays.
  const own = sender.local.candidateType === 'relay' ? sender.local.relayProtocol : null;
  const wireOwn = d.path.relays.find((r) => r.owner === d.from)?.transport ?? null;
  if (own && wireOwn && own !== wireOwn) return [`${d.from} -> ${d.to}: ${d.from} reports TURN over ${own}, the wire shows ${wireOwn}`];
  return [];
}
