import { describe, expect, it } from 'vitest';
import { cidrWithin, formatAddress, nthHost, overlaps, parseAddress, parseCidr } from './ipv4.js';

describe('ipv4', () => {
  it('round-trips addresses and rejects bad ones', () => {
    expect(formatAddress(parseAddress('203.0.113.77')!)).toBe('203.0.113.77');
    expect(parseAddress('256.1.1.1')).toBeNull();
    expect(parseAddress('1.2.3')).toBeNull();
  });
  it('normalises CIDRs and checks containment', () => {
    expect(parseCidr('192.168.1.77/24')).toEqual({ network: parseAddress('192.168.1.0'), prefix: 24 });
    expect(parseCidr('10.0.0.0/33')).toBeNull();
    expect(cidrWithin(parseCidr('100.64.1.0/24')!, parseCidr('100.64.0.0/10')!)).toBe(true);
    expect(overlaps(parseCidr('10.0.0.0/8')!, parseCidr('10.1.0.0/16')!)).toBe(true);
    expect(overlaps(parseCidr('10.0.0.0/24')!, parseCidr('10.0.1.0/24')!)).toBe(false);
  });
  it('gives usable hosts only', () => {
    const c = parseCidr('192.168.1.0/30')!;
    expect(formatAddress(nthHost(c, 1)!)).toBe('192.168.1.1');
    expect(formatAddress(nthHost(c, 2)!)).toBe('192.168.1.2');
    expect(nthHost(c, 3)).toBeNull(); // broadcast
    expect(nthHost(c, 0)).toBeNull(); // network
  });
});
