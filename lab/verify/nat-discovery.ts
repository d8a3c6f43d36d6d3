/**
 * RFC 5780 NAT behaviour discovery with coturn's turnutils_natdiscovery, an independent classifier:
 * what a host behind the lab's routers is declared to see, what the tool observed, and whether
 * they agree.
 */
import { Mapping, stricter } from '../model/nat-behavior.js';
import { Topology, upstreamRouters } from '../model/topology.js';

/** 'no-nat' mapping: the host's own address is its public one. */
export type ObservedMapping = Mapping | 'no-nat';

export interface NatObservation {
  udpBlocked: boolean;
  mapping: ObservedMapping | null;
  filtering: Mapping | null;
  hairpinning: boolean | null;
}

const MAPPING_LINES: [RegExp, ObservedMapping][] = [
  [/No NAT! \(Endpoint Independent Mapping\)/, 'no-nat'],
  [/NAT with Endpoint Independent Mapping!/, 'endpoint-independent'],
  [/NAT with Address Dependent Mapping!/, 'address-dependent'],
  [/NAT with Address and Port Dependent Mapping!/, 'address-and-port-dependent'],
];
const FILTERING_LINES: [RegExp, Mapping][] = [
  [/NAT with Endpoint Independent Filtering!/, 'endpoint-independent'],
  [/NAT with Address Dependent Filtering!/, 'address-dependent'],
  [/NAT with Address and Port Dependent Filtering!/, 'address-and-port-dependent'],
];
const HAIRPIN_LINE = /Received a request \(maybe a successful hairpinning\)/;

/**
 * The three discoveries as separate runs, so they can go in parallel (filtering and hairpinning
 * each wait out STUN timeouts). -L gives the local address, so a host without NAT reads "No NAT".
 */
export function natdiscoveryRuns(server: string, localAddress: string): string[][] {
  return ['-m', '-f', '-H'].map((test) => ['turnutils_natdiscovery', test, '-L', localAddress, server]);
}

/** Reads turnutils_natdiscovery output (-m, -f and -H, in any order, concatenated). */
export function parseNatdiscovery(output: string): NatObservation {
  const find = <T>(table: [RegExp, T][]) => table.find(([re]) => re.test(output))?.[1] ?? null;
  const mapping = find(MAPPING_LINES);
  const filtering = find(FILTERING_LINES);
  const hairpinSection = output.includes('Hairpinning Behavior Discovery');
  return {
    udpBlocked: mapping === null && filtering === null && /STUN receive timeout/.test(output),
    mapping,
    filtering,
    hairpinning: hairpinSection && mapping !== null ? HAIRPIN_LINE.test(output) : null,
  };
}

/** What a host should observe through the routers between it and the internet. */
export function expectedObservation(t: Topology, host: string): NatObservation {
  const chain = upstreamRouters(t, host);
  // Without NAT, packets to its own public address simply come back to the host.
  if (!chain.length) return { udpBlocked: false, mapping: 'no-nat', filtering: 'endpoint-independent', hairpinning: true };
  if (chain.some((r) => r.nat.firewall?.blockUdp)) return { udpBlocked: true, mapping: null, filtering: null, hairpinning: null };
  const filteringOf = (r: (typeof chain)[number]) => (r.nat.mode === 'one-to-one' ? 'endpoint-independent' : r.nat.filtering);
  const mapping = chain.map((r) => r.nat.mapping).reduce(stricter);
  const filtering = chain.map(filteringOf).reduce(stricter);
  // The mapped address belongs to the outermost router, so it must hairpin. RFC 5780's test sends
  // from a second port, so the hairpinned packet also arrives at the inner routers from a new
  // remote endpoint: only endpoint-independent filtering lets it through them.
  const outermost = chain[chain.length - 1];
  const hairpinning = outermost.nat.hairpinning && chain.slice(0, -1).every((r) => filteringOf(r) === 'endpoint-independent');
  return { udpBlocked: false, mapping, filtering, hairpinning };
}

export function describeObservation(o: NatObservation): string {
  if (o.udpBlocked) return 'UDP blocked';
  const m = o.mapping === 'no-nat' ? 'no NAT' : `${o.mapping ?? '?'} mapping`;
  const parts = [m, `${o.filtering ?? '?'} filtering`];
  if (o.hairpinning !== null) parts.push(o.hairpinning ? 'hairpinning' : 'no hairpinning');
  return parts.join(', ');
}

export function sameObservation(declared: NatObservation, observed: NatObservation): boolean {
  if (declared.udpBlocked || observed.udpBlocked) return declared.udpBlocked === observed.udpBlocked;
  return (
    declared.mapping === observed.mapping &&
    declared.filtering === observed.filtering &&
    (declared.hairpinning === null || declared.hairpinning === observed.hairpinning)
  );
}
