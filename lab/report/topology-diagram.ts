/**
 * The topology as an SVG diagram: the internet on top, routers with their NAT under the segment
 * they face, their LANs below them, hosts at the leaves. Pure; inline in the HTML report.
 */
import type { HostNode, RouterNode, Topology } from '../model/topology.js';
import { INTERNET } from '../model/topology.js';

const BOX_W = 170;
const BOX_H = 46;
const GAP_X = 20;

type Item = { kind: 'host'; node: HostNode } | { kind: 'router'; node: RouterNode; lans: { segment: string; items: Item[] }[] };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function itemsOn(t: Topology, segment: string, roles: Record<string, string>): Item[] {
  const routers: Item[] = t.routers
    .filter((r) => r.outside.segment === segment)
    .map((r) => ({ kind: 'router', node: r, lans: r.inside.map((i) => ({ segment: i.segment, items: itemsOn(t, i.segment, roles) })) }));
  const hosts: Item[] = t.hosts.filter((h) => h.iface.segment === segment && h.role !== 'services').map((h) => ({ kind: 'host', node: h }));
  return [...routers, ...hosts];
}

function width(item: Item): number {
  if (item.kind === 'host') return 1;
  return Math.max(1, item.lans.reduce((sum, l) => sum + Math.max(1, l.items.reduce((s, i) => s + width(i), 0)), 0));
}

/** roles: host name -> what runs there ("viewer (werift)"), shown under the host. */
export function topologySvg(t: Topology, roles: Record<string, string> = {}): string {
  const top = itemsOn(t, INTERNET, roles);
  const units = Math.max(2, top.reduce((s, i) => s + width(i), 0));
  const W = units * (BOX_W + GAP_X) + GAP_X;
  const parts: string[] = [];
  let bottom = 0;
  const box = (x: number, y: number, title: string, lines: string[], cls: string) => {
    bottom = Math.max(bottom, y + BOX_H + 12 * Math.max(0, lines.length - 2));
    parts.push(`<g class="${cls}"><rect x="${x - BOX_W / 2}" y="${y}" width="${BOX_W}" height="${BOX_H + 12 * Math.max(0, lines.length - 2)}" rx="6"/>`);
    parts.push(`<text x="${x}" y="${y + 15}" class="title">${esc(title)}</text>`);
    lines.forEach((l, k) => parts.push(`<text x="${x}" y="${y + 29 + 12 * k}">${esc(l)}</text>`));
    parts.push('</g>');
  };
  const bar = (x1: number, x2: number, y: number, label: string, cls: string) => {
    parts.push(`<line x1="${x1}" y1="${y}" x2="${x2}" y2="${y}" class="seg ${cls}"/><text x="${x1}" y="${y - 6}" class="seglabel" text-anchor="start">${esc(label)}</text>`);
  };
  const link = (x: number, y1: number, y2: number) => parts.push(`<line x1="${x}" y1="${y1}" x2="${x}" y2="${y2}" class="link"/>`);

  const place = (items: Item[], left: number, y: number, segY: number) => {
    let cursor = left;
    for (const item of items) {
      const w = width(item) * (BOX_W + GAP_X);
      const cx = cursor + w / 2;
      link(cx, segY, y);
      if (item.kind === 'host') {
        box(cx, y, item.node.name, [item.node.iface.addresses.join(', '), roles[item.node.name] ?? ''].filter(Boolean), 'host');
      } else {
        const r = item.node;
        box(cx, y, `${r.name}: ${r.natLabel}`, [`public ${r.outside.addresses[0]}`, `${r.nat.mapping.replace('endpoint-independent', 'EI').replace('address-and-port-dependent', 'APD').replace('address-dependent', 'AD')} mapping, ${r.nat.filtering.replace('endpoint-independent', 'EI').replace('address-and-port-dependent', 'APD').replace('address-dependent', 'AD')} filtering${r.nat.firewall?.blockUdp ? ', UDP blocked' : ''}`], 'router');
        let lanLeft = cursor;
        const lanY = y + BOX_H + 30;
        for (const lan of item.lans) {
          const lw = Math.max(1, lan.items.reduce((s, i) => s + width(i), 0)) * (BOX_W + GAP_X);
          const seg = t.segments.find((s) => s.name === lan.segment)!;
          link(cx, y + BOX_H, lanY);
          bar(lanLeft + GAP_X / 2, lanLeft + lw - GAP_X / 2, lanY, `${seg.name} ${seg.subnet}`, 'lan');
          place(lan.items, lanLeft, lanY + 24, lanY);
          lanLeft += lw;
        }
      }
      cursor += w;
    }
  };

  const internet = t.segments.find((s) => s.name === INTERNET)!;
  const srvY = 8;
  const netY = srvY + BOX_H + 30;
  box(W / 2, srvY, `${t.services.host}: lab services`, [t.services.addresses.join(', '), 'coturn, signaling, ICE config'], 'services');
  link(W / 2, srvY + BOX_H + 12, netY);
  bar(GAP_X / 2, W - GAP_X / 2, netY, `internet ${internet.subnet}`, 'internet');
  place(top, 0, netY + 24, netY);

  const style = `<style>
    rect { fill: #f6f8fa; stroke: #57606a; } .router rect { fill: #ddf4ff; stroke: #0969da; } .services rect { fill: #fff8c5; stroke: #9a6700; }
    text { font: 11px system-ui, sans-serif; text-anchor: middle; fill: #1b1f24; } text.title { font-weight: 600; }
    .seg { stroke: #1b1f24; stroke-width: 3; } .seg.internet { stroke: #8250df; stroke-width: 5; } .link { stroke: #8c959f; stroke-width: 1.5; }
    .seglabel { text-anchor: start; fill: #57606a; }
  </style>`;
  const H = bottom + 10;
  return `<svg xmlns="http://www.w3.org/2000/svg" class="topology" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${style}${parts.join('')}</svg>`;
}
