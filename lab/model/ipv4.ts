/** IPv4 arithmetic for addressing plans: pure functions on dotted quads and CIDR prefixes. */
export interface Cidr {
  network: number; // as unsigned 32-bit integer
  prefix: number;
}

const QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function parseAddress(text: string): number | null {
  const m = QUAD.exec(text);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

export function formatAddress(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.');
}

export function parseCidr(text: string): Cidr | null {
  const [addr, len, ...rest] = text.split('/');
  if (rest.length || len === undefined || !/^\d{1,2}$/.test(len)) return null;
  const prefix = Number(len);
  const value = parseAddress(addr);
  if (value === null || prefix > 32) return null;
  return { network: (value & mask(prefix)) >>> 0, prefix };
}

export function formatCidr(c: Cidr): string {
  return `${formatAddress(c.network)}/${c.prefix}`;
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
}

export function contains(c: Cidr, address: number): boolean {
  return ((address & mask(c.prefix)) >>> 0) === c.network;
}

export function cidrWithin(inner: Cidr, outer: Cidr): boolean {
  return inner.prefix >= outer.prefix && contains(outer, inner.network);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return contains(a, b.network) || contains(b, a.network);
}

/** The n-th address of a subnet (1 = first usable); null past the last usable address. */
export function nthHost(c: Cidr, n: number): number | null {
  const size = 2 ** (32 - c.prefix);
  if (n < 1 || n >= size - 1) return null;
  return (c.network + n) >>> 0;
}

export const DOCUMENTATION_RANGES = ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24'].map((t) => parseCidr(t)!);
/** RFC 1918 private ranges plus RFC 6598 shared address space (carrier-grade NAT). */
export const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'].map((t) => parseCidr(t)!);
