/**
 * What RFC 4787 predicts for two hosts: can their UDP paths meet directly (hole punching, or one
 * side open), or must they relay through TURN? Pure, from the declared NAT behaviours.
 *
 * A side whose mapping is not endpoint-independent has no predictable public address for the
 * peer (its STUN-learned mapping was made for the STUN server). Such a side can still reach a
 * peer whose filtering only checks the address (or nothing), because that peer has sent to its
 * public address first; against address-and-port-dependent filtering, or another unpredictable
 * side, only a relay works. Blocked UDP means relay. Two hosts behind one NAT meet through it
 * only if it hairpins.
 */
import { stricter, type Mapping } from '../model/nat-behavior.js';
import { upstreamRouters, type Topology } from '../model/topology.js';

export type Prediction = 'direct' | 'relay';

interface Side {
  blocked: boolean;
  /** null: no NAT at all. */
  mapping: Mapping | null;
  filtering: Mapping | null;
  routers: string[];
}

function side(t: Topology, host: string): Side {
  const chain = upstreamRouters(t, host);
  return {
    blocked: chain.some((r) => r.nat.firewall?.blockUdp),
    mapping: chain.length ? chain.map((r) => r.nat.mapping).reduce(stricter) : null,
    filtering: chain.length ? chain.map((r) => (r.nat.mode === 'one-to-one' ? 'endpoint-independent' : r.nat.filtering)).reduce(stricter) : null,
    routers: chain.map((r) => r.name),
  };
}

export function predictOutcome(t: Topology, viewerHost: string, cameraHost: string, policy: 'all' | 'relay' = 'all'): Prediction {
  if (policy === 'relay') return 'relay';
  const v = side(t, viewerHost);
  const c = side(t, cameraHost);
  if (v.blocked || c.blocked) return 'relay';
  const shared = v.routers.find((r) => c.routers.includes(r));
  if (shared) {
    const viewerSegment = t.hosts.find((h) => h.name === viewerHost)!.iface.segment;
    if (viewerSegment === t.hosts.find((h) => h.name === cameraHost)!.iface.segment) return 'direct';
    return t.routers.find((r) => r.name === shared)!.nat.hairpinning ? 'direct' : 'relay';
  }
  const unpredictable = (s: Side) => s.mapping !== null && s.mapping !== 'endpoint-independent';
  const portStrict = (s: Side) => s.filtering === 'address-and-port-dependent';
  if (unpredictable(v) && unpredictable(c)) return 'relay';
  if ((unpredictable(v) && portStrict(c)) || (unpredictable(c) && portStrict(v))) return 'relay';
  return 'direct';
}
