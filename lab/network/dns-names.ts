/**
 * The lab's names: its own (turn.lab.test, stun.lab.test, signaling.lab.test, mqtt.lab.test,
 * <service>.lab.test)
 * and the ones a scenario maps under `dns:` (a name -> a service, a lab name or an IPv4 address).
 * Pure: the scenario checks the map with it, and the run turns it into records, a hosts file and
 * a resolv.conf.
 */
import type { Problem } from '../model/validate.js';
import { parseAddress } from '../model/ipv4.js';

export const LAB_DOMAIN = 'lab.test';
/** Seconds a resolver may cache an answer: runs are short, and every name is fixed for the run. */
export const DNS_TTL = 60;
export const MQTT_HOSTNAME = `mqtt.${LAB_DOMAIN}`;

/** The lab's own names, by what serves them. */
export function labOwnNames(services: readonly [string, string]): Record<string, string> {
  const [turn, web] = services;
  // mqtt: the broker of `signaling: mqtt` (lab/services/mqtt-broker.ts); it listens only in such runs.
  return { [`turn.${LAB_DOMAIN}`]: turn, [`stun.${LAB_DOMAIN}`]: turn, [`signaling.${LAB_DOMAIN}`]: web, [MQTT_HOSTNAME]: web };
}

export function serviceName(service: string): string {
  return `${service}.${LAB_DOMAIN}`;
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Why a name cannot be a DNS name here, or null when it can. */
export function badHostname(name: string): string | null {
  if (name !== name.toLowerCase()) return 'names are lower case';
  if (name.length > 253) return 'a name is at most 253 characters';
  const labels = name.split('.');
  if (labels.length < 2) return 'give a full name with a dot (e.g. signal.example.com)';
  if (!labels.every((l) => LABEL.test(l))) return 'each label is letters, digits and inner dashes, 1-63 characters';
  if (parseAddress(name) !== null) return 'an address is not a name';
  return null;
}

/**
 * Problems of a scenario's `dns:` map, each at its field: the name must be a valid one outside
 * lab.test, and its target a service of the scenario, one of the lab's names or an IPv4 address.
 */
export function checkDnsMap(dns: Record<string, string>, services: string[]): Problem[] {
  const problems: Problem[] = [];
  const labNames = [...Object.keys(labOwnNames(['', ''])), ...services.map(serviceName)];
  for (const [name, target] of Object.entries(dns)) {
    const path = ['dns', name];
    const bad = badHostname(name);
    if (bad) problems.push({ path, message: `"${name}" is not a usable name: ${bad}` });
    else if (name === LAB_DOMAIN || name.endsWith(`.${LAB_DOMAIN}`)) problems.push({ path, message: `names under ${LAB_DOMAIN} are the lab's own (${labNames.join(', ')}); map another name` });
    if (parseAddress(target) !== null || services.includes(target) || labNames.includes(target)) continue;
    if (/^\d+(\.\d+)*$/.test(target)) problems.push({ path, message: `"${target}" is not an IPv4 address` });
    else problems.push({ path, message: `unknown target "${target}": give a service of this scenario (${services.length ? services.join(', ') : 'it has none'}), a lab name (${labNames.join(', ')}) or an IPv4 address` });
  }
  return problems;
}

/** Every name the lab answers, to one IPv4 address each. */
export function dnsRecords(opts: { services: readonly [string, string]; serviceAddresses: Record<string, string>; dns: Record<string, string> }): Record<string, string> {
  const records: Record<string, string> = { ...labOwnNames(opts.services) };
  for (const [svc, address] of Object.entries(opts.serviceAddresses)) records[serviceName(svc)] = address;
  for (const [name, target] of Object.entries(opts.dns)) {
    const address = parseAddress(target) !== null ? target : (opts.serviceAddresses[target] ?? records[target]);
    if (!address) throw new Error(`dns.${name}: target "${target}" has no address (checkDnsMap lets no such map through)`);
    records[name] = address;
  }
  return records;
}

/** /etc/hosts of every lab host: localhost, then every lab name (answers even before the resolver is up). */
export function hostsFile(records: Record<string, string>): string {
  const lines = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback'];
  for (const [name, address] of Object.entries(records)) lines.push(`${address}\t${name}`);
  return lines.join('\n') + '\n';
}

/**
 * /etc/resolv.conf of every lab host: the lab's resolver only. One try of one second: it answers
 * every name at once (NXDOMAIN for the unmapped), so a retry only ever waits for a dead resolver.
 */
export function resolvConf(nameserver: string): string {
  return `# webrtc-lab: the lab's own resolver (lab/network/dns-server.ts)\nnameserver ${nameserver}\noptions timeout:1 attempts:1\n`;
}
