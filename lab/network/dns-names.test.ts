import { describe, expect, it } from 'vitest';
import { badHostname, checkDnsMap, dnsRecords, hostsFile, labOwnNames, resolvConf } from './dns-names.js';

const services = ['203.0.113.2', '203.0.113.3'] as const;

describe('lab names', () => {
  it('the lab\'s own names point at coturn, signaling and the MQTT broker', () => {
    expect(labOwnNames(services)).toEqual({ 'turn.lab.test': '203.0.113.2', 'stun.lab.test': '203.0.113.2', 'signaling.lab.test': '203.0.113.3', 'mqtt.lab.test': '203.0.113.3' });
  });

  it('records: lab names, one per service, and every mapped name to a service, a lab name or an address', () => {
    const r = dnsRecords({
      services,
      serviceAddresses: { sig: '203.0.113.254', kvs: '203.0.113.253' },
      dns: { 'signal.example.com': 'sig', 'kinesisvideo.us-west-2.amazonaws.com': 'kvs', 'relay.example.net': 'turn.lab.test', 'fixed.example.org': '198.51.100.7' },
    });
    expect(r).toEqual({
      'turn.lab.test': '203.0.113.2',
      'stun.lab.test': '203.0.113.2',
      'signaling.lab.test': '203.0.113.3',
      'mqtt.lab.test': '203.0.113.3',
      'sig.lab.test': '203.0.113.254',
      'kvs.lab.test': '203.0.113.253',
      'signal.example.com': '203.0.113.254',
      'kinesisvideo.us-west-2.amazonaws.com': '203.0.113.253',
      'relay.example.net': '203.0.113.2',
      'fixed.example.org': '198.51.100.7',
    });
  });

  it('a map may name services, lab names and addresses; anything else is a problem at its field', () => {
    expect(checkDnsMap({ 'a.example.com': 'sig', 'b.example.com': 'sig.lab.test', 'c.example.com': 'stun.lab.test', 'd.example.com': '192.0.2.9' }, ['sig'])).toEqual([]);
    const problems = checkDnsMap({ 'a.example.com': 'nosuch', 'b.example.com': '300.1.2.3', 'turn.lab.test': 'sig', 'Upper.example.com': 'sig', localhost: 'sig', '10.0.0.1': 'sig', 'bad_label.example.com': 'sig' }, ['sig']);
    const at = (name: string) => problems.filter((p) => p.path[1] === name).map((p) => p.message);
    expect(problems.every((p) => p.path[0] === 'dns')).toBe(true);
    expect(at('a.example.com')).toEqual(['unknown target "nosuch": give a service of this scenario (sig), a lab name (turn.lab.test, stun.lab.test, signaling.lab.test, mqtt.lab.test, sig.lab.test) or an IPv4 address']);
    expect(at('b.example.com')).toEqual(['"300.1.2.3" is not an IPv4 address']);
    expect(at('turn.lab.test')[0]).toMatch(/names under lab.test are the lab's own/);
    expect(at('Upper.example.com')[0]).toMatch(/lower case/);
    expect(at('localhost')[0]).toMatch(/full name with a dot/);
    expect(at('10.0.0.1')[0]).toMatch(/an address is not a name/);
    expect(at('bad_label.example.com')[0]).toMatch(/each label/);
    expect(checkDnsMap({ 'a.example.com': 'nosuch' }, [])[0].message).toContain('(it has none)');
  });

  it('hostnames', () => {
    expect(badHostname('kinesisvideo.us-west-2.amazonaws.com')).toBeNull();
    expect(badHostname(`${'a'.repeat(64)}.com`)).toMatch(/label/);
    expect(badHostname('-a.com')).toMatch(/label/);
    expect(badHostname(`${'a.'.repeat(127)}com`)).toMatch(/253/);
  });

  it('hosts file and resolv.conf', () => {
    expect(hostsFile({ 'turn.lab.test': '203.0.113.2' })).toBe('127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n203.0.113.2\tturn.lab.test\n');
    expect(resolvConf('203.0.113.2')).toMatch(/^nameserver 203\.0\.113\.2\noptions timeout:1 attempts:1\n$/m);
    expect(resolvConf('203.0.113.2')).not.toMatch(/search|domain/);
  });
});
