/** Topology files (topologies/*.yaml): schema, semantic checks and address allocation. */
import { existsSync, readdirSync } from 'node:fs';
import { basename, join, resolve as resolvePath } from 'node:path';
import { z } from 'zod';
import { LabError } from './errors.js';
import {
  Cidr,
  DOCUMENTATION_RANGES,
  PRIVATE_RANGES,
  cidrWithin,
  contains,
  formatAddress,
  formatCidr,
  nthHost,
  overlaps,
  parseAddress,
  parseCidr,
} from './ipv4.js';
import {
  FILTERINGS,
  MAPPINGS,
  NAT_MODES,
  NAT_PRESETS,
  NAT_PRESET_NAMES,
  NatBehavior,
  NatPresetName,
  PORT_ALLOCATIONS,
} from './nat-behavior.js';
import {
  HostNode,
  INTERNET,
  RESERVED_NODE_NAMES,
  RouterNode,
  SERVICES_HOST,
  Segment,
  Topology,
} from './topology.js';
import { Problem, invalidFile, readYaml, validateWith } from './validate.js';
import { impairmentProblems, impairmentSchema } from './impairment.js';
import { projectPath } from '../util/paths.js';

const NAME = /^[a-z][a-z0-9]{0,11}$/;
const nodeName = z.string().regex(NAME, 'must be 1-12 lowercase letters or digits, starting with a letter (no dashes)');
const port = z.number().int().min(1).max(65535);

const firewallSchema = z.strictObject({
  blockUdp: z.boolean().default(false),
  allowTcpPorts: z.union([z.array(port), z.literal('any')]).default('any'),
  action: z.enum(['drop', 'reject']).default('drop'),
});

const natObjectSchema = z.strictObject({
  preset: z.enum(NAT_PRESET_NAMES as [NatPresetName, ...NatPresetName[]]).optional(),
  mode: z.enum(NAT_MODES).optional(),
  mapping: z.enum(MAPPINGS).optional(),
  filtering: z.enum(FILTERINGS).optional(),
  portAllocation: z.enum(PORT_ALLOCATIONS).optional(),
  portRange: z.tuple([port, port]).optional(),
  mappingLifetime: z.number().int().min(1).max(86400).nullable().optional(),
  hairpinning: z.boolean().optional(),
  firewall: firewallSchema.nullable().optional(),
});

const natSchema = z.union([
  z.enum(NAT_PRESET_NAMES as [NatPresetName, ...NatPresetName[]], {
    error: `must be a NAT preset (${NAT_PRESET_NAMES.join(', ')}) or an object of NAT behaviour fields`,
  }),
  natObjectSchema,
]);

const segmentList = z.union([nodeName, z.array(nodeName).min(1)]);

export const topologyFileSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lowercase letters, digits and dashes').optional(),
  description: z.string().default(''),
  segments: z.record(nodeName, z.strictObject({ subnet: z.string() })),
  routers: z
    .record(
      nodeName,
      z.strictObject({
        outside: nodeName,
        inside: segmentList,
        address: z.string().optional(),
        nat: natSchema,
        isolateInside: z.boolean().default(false),
        oneToOneHost: nodeName.optional(),
      }),
    )
    .default({}),
  hosts: z.record(nodeName, z.strictObject({ segment: nodeName, address: z.string().optional() })).default({}),
  /** Link impairments every scenario on this topology gets (a scenario's own entries replace them per direction). */
  impairments: z.array(impairmentSchema).default([]),
});

export type TopologyFile = z.infer<typeof topologyFileSchema>;

export function topologiesDir(): string {
  return projectPath('topologies');
}

export function listTopologies(): string[] {
  return readdirSync(topologiesDir())
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.replace(/\.yaml$/, ''))
    .sort();
}

/** Whether a name given for a scenario or topology is a file path (else a preset name). */
export function isFilePath(nameOrPath: string): boolean {
  return /\.ya?ml$/.test(nameOrPath) || nameOrPath.includes('/');
}

/**
 * A topology by preset name (topologies/<name>.yaml, shipped with the lab) or by path, relative to
 * `base` (the current folder, or the folder of the scenario file that names it).
 */
export function resolveTopologyPath(nameOrPath: string, base: string = process.cwd()): string {
  if (isFilePath(nameOrPath)) {
    const file = resolvePath(base, nameOrPath);
    if (!existsSync(file)) throw new LabError('not-found', `topology file ${nameOrPath} does not exist${base === process.cwd() ? '' : ` (relative to ${base})`}`);
    return file;
  }
  const file = join(topologiesDir(), `${nameOrPath}.yaml`);
  if (!existsSync(file)) {
    throw new LabError('not-found', `unknown topology "${nameOrPath}" (known: ${listTopologies().join(', ')})`, 'or give a path to a .yaml file');
  }
  return file;
}

export function loadTopology(nameOrPath: string): Topology {
  const file = resolveTopologyPath(nameOrPath);
  return topologyFromData(readYaml(file), file);
}

export function topologyFromData(data: unknown, file: string): Topology {
  const spec = validateWith(file, topologyFileSchema, data);
  const problems: Problem[] = [];
  const topology = resolve(spec, file, problems);
  if (problems.length) throw invalidFile(file, problems);
  return topology;
}

export function natBehaviorFrom(value: TopologyFile['routers'][string]['nat']): { nat: NatBehavior; label: string } {
  if (typeof value === 'string') return { nat: structuredClone(NAT_PRESETS[value]) as NatBehavior, label: value };
  const { preset, firewall, ...overrides } = value;
  const base = structuredClone(NAT_PRESETS[preset ?? 'port-restricted-cone']) as NatBehavior;
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  const nat: NatBehavior = { ...base, ...defined };
  if (firewall !== undefined) nat.firewall = firewall;
  const customised = Object.keys(defined).length > 0 || firewall !== undefined;
  return { nat, label: customised ? `${preset ?? 'custom'}*` : (preset ?? 'port-restricted-cone') };
}

export function natProblems(nat: NatBehavior): Problem[] {
  const problems: Problem[] = [];
  if (nat.portAllocation === 'preserve' && nat.mapping !== 'endpoint-independent') {
    problems.push({
      path: ['portAllocation'],
      message: `"preserve" needs mapping "endpoint-independent" (a ${nat.mapping} NAT hands out new ports): use "random" or "range"`,
    });
  }
  if (nat.portRange[0] > nat.portRange[1]) problems.push({ path: ['portRange'], message: 'must be [low, high] with low <= high' });
  if (nat.mode === 'one-to-one' && nat.mapping !== 'endpoint-independent') {
    problems.push({ path: ['mapping'], message: 'one-to-one NAT maps statically: mapping must be "endpoint-independent"' });
  }
  return problems;
}

function resolve(spec: TopologyFile, file: string, problems: Problem[]): Topology {
  const segments = resolveSegments(spec, problems);
  const name = spec.name ?? basename(file).replace(/\.ya?ml$/, '');
  const empty: Topology = { name, description: spec.description, source: file, segments: [], routers: [], hosts: [], voidGateway: '', services: { host: SERVICES_HOST, addresses: ['', ''] } };
  const internet = segments.get(INTERNET);
  if (!internet) return empty;

  checkNodeNames(spec, problems);
  const gateways = new Map<string, string>(); // lan segment -> router
  for (const [rname, r] of Object.entries(spec.routers)) {
    const insides = typeof r.inside === 'string' ? [r.inside] : r.inside;
    if (!segments.has(r.outside)) problems.push(unknownSegment(['routers', rname, 'outside'], r.outside, segments));
    insides.forEach((seg, i) => {
      const path = ['routers', rname, 'inside', ...(typeof r.inside === 'string' ? [] : [i])];
      if (!segments.has(seg)) problems.push(unknownSegment(path, seg, segments));
      else if (seg === INTERNET) problems.push({ path, message: 'the internet cannot be inside a router' });
      else if (seg === r.outside) problems.push({ path, message: `"${seg}" is already this router's outside segment` });
      else if (gateways.has(seg)) problems.push({ path, message: `segment "${seg}" is already inside router "${gateways.get(seg)}" (one router per LAN)` });
      else gateways.set(seg, rname);
    });
    const { nat } = natBehaviorFrom(r.nat);
    for (const p of natProblems(nat)) problems.push({ ...p, path: ['routers', rname, 'nat', ...p.path] });
  }
  for (const [hname, h] of Object.entries(spec.hosts)) {
    if (!segments.has(h.segment)) problems.push(unknownSegment(['hosts', hname, 'segment'], h.segment, segments));
  }
  for (const seg of segments.keys()) {
    if (seg !== INTERNET && !gateways.has(seg)) {
      problems.push({ path: ['segments', seg], message: `LAN "${seg}" is inside no router: list it in some router's "inside"` });
    }
  }
  checkReachesInternet(spec, gateways, problems);
  if (problems.length) return empty;

  const allocator = new AddressAllocator(segments, problems);
  const voidGateway = allocator.take(INTERNET, 1)!;
  const services: [string, string] = [allocator.take(INTERNET, 2)!, allocator.take(INTERNET, 3)!];
  for (const sname of segments.keys()) if (sname !== INTERNET) allocator.take(sname, 1); // router inside addresses
  for (const [rname, r] of Object.entries(spec.routers)) allocator.reserve(r.outside, r.address, ['routers', rname, 'address']);
  for (const [hname, h] of Object.entries(spec.hosts)) allocator.reserve(h.segment, h.address, ['hosts', hname, 'address']);

  const routers: RouterNode[] = [];
  for (const [rname, r] of Object.entries(spec.routers)) {
    const insides = typeof r.inside === 'string' ? [r.inside] : r.inside;
    const outsideAddr = allocator.assign(r.outside, r.address, ['routers', rname, 'address']);
    checkRouterSubnets(rname, [r.outside, ...insides], segments, problems);
    const { nat, label } = natBehaviorFrom(r.nat);
    routers.push({
      kind: 'router',
      name: rname,
      outside: { name: 'wan0', segment: r.outside, addresses: [outsideAddr], prefix: segments.get(r.outside)!.prefix },
      inside: insides.map((seg, i) => ({ name: `lan${i}`, segment: seg, addresses: [segments.get(seg)!.gateway], prefix: segments.get(seg)!.prefix })),
      defaultGateway: segments.get(r.outside)!.gateway,
      nat,
      natLabel: label,
      isolateInside: r.isolateInside,
      oneToOneHost: null,
    });
  }
  const hosts: HostNode[] = [
    {
      kind: 'host',
      name: SERVICES_HOST,
      role: 'services',
      iface: { name: 'eth0', segment: INTERNET, addresses: services, prefix: internet.prefix },
      defaultGateway: voidGateway,
    },
  ];
  for (const [hname, h] of Object.entries(spec.hosts)) {
    const seg = segments.get(h.segment)!;
    hosts.push({
      kind: 'host',
      name: hname,
      role: 'peer',
      iface: { name: 'eth0', segment: h.segment, addresses: [allocator.assign(h.segment, h.address, ['hosts', hname, 'address'])], prefix: seg.prefix },
      defaultGateway: seg.gateway,
    });
  }
  for (const router of routers) router.oneToOneHost = oneToOneHost(spec, router, hosts, problems);

  const built: Topology = { ...empty, segments: [...segments.values()], routers, hosts, voidGateway, services: { host: SERVICES_HOST, addresses: services } };
  if (spec.impairments.length) {
    problems.push(...impairmentProblems(spec.impairments, built, ['impairments']));
    built.impairments = spec.impairments;
  }
  return built;
}

function resolveSegments(spec: TopologyFile, problems: Problem[]): Map<string, Segment> {
  const segments = new Map<string, Segment>();
  const cidrs: [string, Cidr][] = [];
  for (const [name, s] of Object.entries(spec.segments)) {
    const path = ['segments', name, 'subnet'];
    const cidr = parseCidr(s.subnet);
    if (!cidr) {
      problems.push({ path, message: `"${s.subnet}" is not an IPv4 CIDR such as 192.168.1.0/24` });
      continue;
    }
    if (cidr.prefix > 29) problems.push({ path, message: 'must be /29 or larger' });
    const kind = name === INTERNET ? 'internet' : 'lan';
    if (kind === 'internet' && !DOCUMENTATION_RANGES.some((r) => cidrWithin(cidr, r))) {
      problems.push({ path, message: 'the internet must use a documentation range (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24) so lab traffic can never be confused with real addresses' });
    }
    if (kind === 'lan' && !PRIVATE_RANGES.some((r) => cidrWithin(cidr, r))) {
      problems.push({ path, message: 'a LAN must use a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16) or 100.64.0.0/10' });
    }
    for (const [other, c] of cidrs) {
      if (overlaps(c, cidr) && (other === INTERNET || name === INTERNET)) problems.push({ path, message: `overlaps the subnet of "${other}"` });
    }
    cidrs.push([name, cidr]);
    segments.set(name, { name, kind, subnet: formatCidr(cidr), prefix: cidr.prefix, gateway: formatAddress(nthHost(cidr, 1)!) });
  }
  if (!segments.has(INTERNET) && !problems.some((p) => p.path[1] === INTERNET)) {
    problems.push({ path: ['segments'], message: `needs a segment named "${INTERNET}" (e.g. internet: { subnet: 203.0.113.0/24 })` });
  }
  return segments;
}

function checkNodeNames(spec: TopologyFile, problems: Problem[]): void {
  for (const [kind, names] of [['routers', Object.keys(spec.routers)], ['hosts', Object.keys(spec.hosts)]] as const) {
    for (const n of names) {
      if (RESERVED_NODE_NAMES.includes(n)) problems.push({ path: [kind, n], message: `"${n}" is reserved for the lab (reserved: ${RESERVED_NODE_NAMES.join(', ')})` });
      if (kind === 'hosts' && n in spec.routers) problems.push({ path: [kind, n], message: `"${n}" is also a router's name` });
    }
  }
}

function checkReachesInternet(spec: TopologyFile, gateways: Map<string, string>, problems: Problem[]): void {
  for (const start of Object.keys(spec.routers)) {
    const seen = new Set<string>();
    let router: string | undefined = start;
    while (router && !seen.has(router)) {
      seen.add(router);
      const outside: string = spec.routers[router].outside;
      if (outside === INTERNET) break;
      router = gateways.get(outside);
    }
    if (router && seen.has(router) && spec.routers[router].outside !== INTERNET) {
      problems.push({ path: ['routers', start, 'outside'], message: `routers form a loop (${[...seen].join(' -> ')}) that never reaches the internet` });
      return;
    }
  }
}

function checkRouterSubnets(router: string, attached: string[], segments: Map<string, Segment>, problems: Problem[]): void {
  const cidrs = attached.map((name) => [name, parseCidr(segments.get(name)!.subnet)!] as const);
  cidrs.forEach(([a, ca], i) =>
    cidrs.slice(i + 1).forEach(([b, cb]) => {
      if (overlaps(ca, cb)) problems.push({ path: ['routers', router], message: `its segments "${a}" and "${b}" have overlapping subnets` });
    }),
  );
}

function unknownSegment(path: (string | number)[], seg: string, segments: Map<string, Segment>): Problem {
  return { path, message: `references unknown segment "${seg}" (known: ${[...segments.keys()].join(', ')})` };
}

function oneToOneHost(spec: TopologyFile, router: RouterNode, hosts: HostNode[], problems: Problem[]): string | null {
  if (router.nat.mode !== 'one-to-one') return null;
  const path = ['routers', router.name, 'oneToOneHost'];
  const insideHosts = hosts.filter((h) => router.inside.some((i) => i.segment === h.iface.segment));
  const named = spec.routers[router.name].oneToOneHost;
  if (named) {
    if (!insideHosts.some((h) => h.name === named)) problems.push({ path, message: `"${named}" is not a host inside this router (inside: ${insideHosts.map((h) => h.name).join(', ') || 'none'})` });
    return named;
  }
  if (insideHosts.length !== 1) {
    problems.push({ path, message: `one-to-one NAT needs exactly one inside host or oneToOneHost (inside: ${insideHosts.map((h) => h.name).join(', ') || 'none'})` });
    return null;
  }
  return insideHosts[0].name;
}

/** Hands out addresses per segment: explicit ones first come first served, the rest in order. */
class AddressAllocator {
  private used = new Map<string, Set<string>>();
  private next = new Map<string, number>();

  constructor(
    private segments: Map<string, Segment>,
    private problems: Problem[],
  ) {}

  take(segment: string, n: number): string | null {
    const cidr = parseCidr(this.segments.get(segment)!.subnet)!;
    const addr = nthHost(cidr, n);
    if (addr === null) return null;
    const text = formatAddress(addr);
    this.usedIn(segment).add(text);
    return text;
  }

  /** Claims an explicitly requested address before any automatic assignment. */
  reserve(segment: string, wanted: string | undefined, path: (string | number)[]): void {
    if (wanted === undefined) return;
    const seg = this.segments.get(segment)!;
    const cidr = parseCidr(seg.subnet)!;
    const used = this.usedIn(segment);
    const value = parseAddress(wanted);
    if (value === null || !contains(cidr, value) || nthHost(cidr, value - cidr.network) === null) {
      this.problems.push({ path, message: `"${wanted}" is not a usable address in ${segment} (${seg.subnet})` });
    } else if (used.has(wanted)) {
      const why = wanted === seg.gateway ? ' (its gateway)' : segment === INTERNET && parseAddress(wanted)! - cidr.network <= 3 ? ' (kept for the lab: .1 void gateway, .2 and .3 services)' : '';
      this.problems.push({ path, message: `${wanted} is already taken in ${segment}${why}` });
    } else {
      used.add(wanted);
    }
  }

  assign(segment: string, wanted: string | undefined, path: (string | number)[]): string {
    if (wanted !== undefined) return wanted;
    const seg = this.segments.get(segment)!;
    const cidr = parseCidr(seg.subnet)!;
    const used = this.usedIn(segment);
    for (let n = this.next.get(segment) ?? 2; ; n++) {
      const addr = nthHost(cidr, n);
      if (addr === null) {
        this.problems.push({ path, message: `no free address left in ${segment} (${seg.subnet})` });
        return '0.0.0.0';
      }
      const text = formatAddress(addr);
      if (!used.has(text)) {
        used.add(text);
        this.next.set(segment, n + 1);
        return text;
      }
    }
  }

  private usedIn(segment: string): Set<string> {
    let set = this.used.get(segment);
    if (!set) this.used.set(segment, (set = new Set()));
    return set;
  }
}
