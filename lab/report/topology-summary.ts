/** Plain-text description of a built topology: who sits where, with which addresses and NATs. */
import { describeBehavior } from '../model/nat-behavior.js';
import type { RouterNode, Topology } from '../model/topology.js';

export function natSummary(r: RouterNode): string {
  const n = r.nat;
  const parts = [n.mode === 'one-to-one' ? `one-to-one to ${r.oneToOneHost}` : describeBehavior(n), `ports ${n.portAllocation}${n.portAllocation === 'preserve' ? '' : ` ${n.portRange[0]}-${n.portRange[1]}`}`];
  if (n.hairpinning) parts.push('hairpinning');
  if (n.mappingLifetime !== null) parts.push(`mapping lifetime ${n.mappingLifetime} s`);
  if (r.isolateInside) parts.push('inside LANs isolated');
  if (n.firewall) {
    const fw = n.firewall;
    const rules = [fw.blockUdp ? 'UDP blocked' : '', fw.allowTcpPorts === 'any' ? '' : `TCP out only to ${fw.allowTcpPorts.join(',') || 'nothing'}`].filter(Boolean);
    parts.push(`firewall: ${rules.join(', ') || 'open'} (${fw.action})`);
  }
  return parts.join('; ');
}

export function topologySummary(t: Topology): string {
  const lines: string[] = [];
  lines.push(`topology ${t.name}: ${t.description}`.trim());
  lines.push('segments:');
  for (const s of t.segments) lines.push(`  ${s.name.padEnd(10)} ${s.subnet.padEnd(18)} ${s.kind === 'internet' ? 'public (lab internet)' : `LAN, gateway ${s.gateway}`}`);
  if (t.routers.length) lines.push('routers:');
  for (const r of t.routers) {
    lines.push(`  ${r.name.padEnd(10)} ${r.outside.addresses[0].padEnd(15)} on ${r.outside.segment}, serving ${r.inside.map((i) => i.segment).join(', ')}: ${r.natLabel}`);
    lines.push(`  ${''.padEnd(10)} ${natSummary(r)}`);
  }
  lines.push('hosts:');
  for (const h of t.hosts) {
    lines.push(`  ${h.name.padEnd(10)} ${h.iface.addresses.join(', ').padEnd(15)} on ${h.iface.segment}${h.role === 'services' ? ' (lab services: STUN/TURN, signaling)' : ''}`);
  }
  return lines.join('\n');
}
