import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadTopology } from '../model/topology-file.js';
import { expectedObservation, parseNatdiscovery, sameObservation } from './nat-discovery.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/natdiscovery-${name}.txt`, import.meta.url), 'utf8');

describe('turnutils_natdiscovery output', () => {
  it('reads a symmetric NAT', () => {
    expect(parseNatdiscovery(fixture('symmetric'))).toEqual({
      udpBlocked: false,
      mapping: 'address-and-port-dependent',
      filtering: 'address-and-port-dependent',
      hairpinning: false,
    });
  });
  it('reads no NAT', () => {
    expect(parseNatdiscovery(fixture('no-nat')).mapping).toBe('no-nat');
  });
  it('reads hairpinning', () => {
    const o = parseNatdiscovery(fixture('hairpinning'));
    expect(o.hairpinning).toBe(true);
    expect(o.mapping).toBe('endpoint-independent');
  });
  it('reads blocked UDP', () => {
    expect(parseNatdiscovery(fixture('udp-blocked'))).toEqual({ udpBlocked: true, mapping: null, filtering: null, hairpinning: null });
  });
  it('garbage is no result, not a match', () => {
    const o = parseNatdiscovery('segfault');
    expect(o).toEqual({ udpBlocked: false, mapping: null, filtering: null, hairpinning: null });
    expect(sameObservation(expectedObservation(loadTopology('full-cone'), 'a'), o)).toBe(false);
  });
});

describe('declared behaviour', () => {
  it('combines NATs in series: the stricter wins; hairpinning needs the outer NAT to hairpin', () => {
    const cgnat = loadTopology('cgnat');
    expect(expectedObservation(cgnat, 'a')).toEqual({ udpBlocked: false, mapping: 'endpoint-independent', filtering: 'address-and-port-dependent', hairpinning: false });
    expect(expectedObservation(cgnat, 'm').hairpinning).toBe(true);
  });
  it('no NAT on the open internet, UDP blocked behind the firewall', () => {
    expect(expectedObservation(loadTopology('open'), 'a').mapping).toBe('no-nat');
    expect(expectedObservation(loadTopology('firewalled'), 'a').udpBlocked).toBe(true);
  });
  it('a mismatch is a mismatch', () => {
    const declared = expectedObservation(loadTopology('full-cone'), 'a');
    expect(sameObservation(declared, { ...declared, filtering: 'address-dependent' })).toBe(false);
    expect(sameObservation(declared, { ...declared })).toBe(true);
  });
});
