/** NAT behaviour in RFC 4787 terms, and the presets users know by their classic names. */
export const MAPPINGS = ['endpoint-independent', 'address-dependent', 'address-and-port-dependent'] as const;
export type Mapping = (typeof MAPPINGS)[number];
/** Filtering uses the same three words as mapping (RFC 4787 section 5). */
export const FILTERINGS = MAPPINGS;
export type Filtering = Mapping;
export const PORT_ALLOCATIONS = ['preserve', 'range', 'random'] as const;
export type PortAllocation = (typeof PORT_ALLOCATIONS)[number];
export const NAT_MODES = ['nat', 'one-to-one'] as const;
export type NatMode = (typeof NAT_MODES)[number];

export interface FirewallSpec {
  /** Drop (or reject) every UDP packet crossing the router. */
  blockUdp: boolean;
  /** New outbound TCP connections allowed only to these destination ports; 'any' allows all. */
  allowTcpPorts: number[] | 'any';
  /** What blocked traffic gets: silence, or an ICMP/TCP-reset refusal (ICE gives up sooner). */
  action: 'drop' | 'reject';
}

export interface NatBehavior {
  /** 'nat': many inside hosts share the router's outside address; 'one-to-one': one inside host owns it. */
  mode: NatMode;
  mapping: Mapping;
  filtering: Filtering;
  portAllocation: PortAllocation;
  /** Ports used when portAllocation is 'range' (and for 'random'). */
  portRange: [number, number];
  /** Seconds a UDP mapping lives without outbound traffic; null keeps the kernel's defaults (30 s / 120 s). */
  mappingLifetime: number | null;
  hairpinning: boolean;
  firewall: FirewallSpec | null;
}

const portRestricted: NatBehavior = {
  mode: 'nat',
  mapping: 'endpoint-independent',
  filtering: 'address-and-port-dependent',
  portAllocation: 'preserve',
  portRange: [1024, 65535],
  mappingLifetime: null,
  hairpinning: false,
  firewall: null,
};

export const NAT_PRESETS = {
  'full-cone': { ...portRestricted, filtering: 'endpoint-independent' },
  'restricted-cone': { ...portRestricted, filtering: 'address-dependent' },
  'port-restricted-cone': portRestricted,
  symmetric: { ...portRestricted, mapping: 'address-and-port-dependent', portAllocation: 'random' },
  firewalled: { ...portRestricted, firewall: { blockUdp: true, allowTcpPorts: [443], action: 'drop' } },
  'one-to-one': { ...portRestricted, mode: 'one-to-one', filtering: 'endpoint-independent' },
  'carrier-grade': { ...portRestricted, portAllocation: 'range', portRange: [1024, 65535], hairpinning: true },
} satisfies Record<string, NatBehavior>;

export type NatPresetName = keyof typeof NAT_PRESETS;
export const NAT_PRESET_NAMES = Object.keys(NAT_PRESETS) as NatPresetName[];

/** Classic name of a behaviour, where it has one ("full cone"), else its RFC 4787 pair. */
export function describeBehavior(b: Pick<NatBehavior, 'mapping' | 'filtering'>): string {
  return `${b.mapping} mapping, ${b.filtering} filtering`;
}

const STRICTNESS: Record<Mapping, number> = {
  'endpoint-independent': 0,
  'address-dependent': 1,
  'address-and-port-dependent': 2,
};

/** The stricter of two behaviours: what a host sees through NATs stacked in series. */
export function stricter(a: Mapping, b: Mapping): Mapping {
  return STRICTNESS[a] >= STRICTNESS[b] ? a : b;
}
