/**
 * Impairments -> the exact commands that make them, per node (pure, unit-tested without root).
 *
 * Two paths. netem (where the kernel has sch_netem): a netem qdisc on the interface's egress, and
 * for the inbound direction on an ifb device the ingress is redirected to. nfqueue (kernels
 * without netem, like the lab's CI machine): iptables sends the link's packets to a queue that
 * nfq-impair (nfq-impair.c) serves in the node's namespace, holding and dropping them.
 *
 * Where the nfqueue rules sit matters: a packet held while its conntrack entry is unconfirmed lets
 * the next packet of its flow make a second entry, and a NAT can then hand out a second mapping.
 * So packets are queued before conntrack sees them (raw table) wherever the direction is known
 * there: everything inbound on an interface, everything a host sends, and what a router forwards
 * out of its outside interface (arriving elsewhere, addressed past its inside subnets). Only a
 * router's outbound inside interface is queued after routing (mangle FORWARD).
 */
import type { AppliedImpairment, ImpairMethod, Impairment, ImpairmentFields } from '../../model/impairment.js';
import { expand } from '../../model/impairment.js';
export { IMPAIR_METHODS, type AppliedImpairment, type ImpairMethod } from '../../model/impairment.js';
import type { Topology } from '../../model/topology.js';

/** The mark nfq-impair sets on a packet to be duplicated (DUP_MARK in nfq-impair.c). */
export const DUP_MARK = 0x40000000;

export interface NodeImpairPlan {
  node: string;
  legs: AppliedImpairment[];
  /** Commands run in the node, in order (argv each). */
  commands: string[][];
  /** Commands that take them off again (and the duplication table), run before the helpers stop. */
  undo: string[][];
  /** nfqueue only: the helper processes (argv after the helper's path), one per leg, started before the commands. */
  helpers: { leg: AppliedImpairment; args: string[] }[];
  /** nfqueue with duplication: an nftables ruleset that copies marked packets. */
  nftables: string | null;
}

/** One entry per node, interface and direction. */
export function legs(list: Impairment[], method: ImpairMethod): AppliedImpairment[] {
  return list.flatMap(({ direction, node, iface, ...fields }) => expand(direction).map((d) => ({ node, iface, direction: d, method, ...fields })));
}

export function planImpairments(list: Impairment[], topology: Topology, method: ImpairMethod): NodeImpairPlan[] {
  const byNode = new Map<string, AppliedImpairment[]>();
  for (const leg of legs(list, method)) byNode.set(leg.node, [...(byNode.get(leg.node) ?? []), leg]);
  return [...byNode].map(([node, nodeLegs]) => (method === 'netem' ? netemPlan(node, nodeLegs) : nfqueuePlan(node, nodeLegs, topology)));
}

// ---- netem ----

const pct = (share: number) => `${+(share * 100).toFixed(4)}%`;

/** The netem options of one leg (after `netem`). */
export function netemArgs(f: Omit<ImpairmentFields, 'direction'>): string[] {
  const args: string[] = [];
  if (f.delayMs > 0 || f.jitterMs > 0) args.push('delay', `${f.delayMs}ms`, ...(f.jitterMs > 0 ? [`${f.jitterMs}ms`] : []));
  if (f.burstLoss) args.push('loss', 'gemodel', pct(f.burstLoss.p), pct(f.burstLoss.r), pct(f.burstLoss.lossInBad), pct(f.burstLoss.lossInGood));
  else if (f.loss > 0) args.push('loss', 'random', pct(f.loss));
  if (f.duplicate > 0) args.push('duplicate', pct(f.duplicate));
  if (f.reorder > 0) args.push('reorder', pct(f.reorder));
  if (f.rateKbps > 0) args.push('rate', `${f.rateKbps}kbit`);
  // netem's limit counts every packet it holds, delayed ones too: room for the rate queue plus a
  // full delay's worth of packets at the rate (or at 10k packets/s without one).
  const pps = f.rateKbps > 0 ? (f.rateKbps * 1000) / 8 / 1500 : 10_000;
  args.push('limit', String(f.queue + Math.ceil((pps * (f.delayMs + f.jitterMs)) / 1000)));
  return args;
}

export function ifbName(iface: string): string {
  return `ifb-${iface}`.slice(0, 15);
}

function netemPlan(node: string, nodeLegs: AppliedImpairment[]): NodeImpairPlan {
  const commands: string[][] = [];
  for (const leg of nodeLegs) {
    if (leg.direction === 'out') {
      commands.push(['tc', 'qdisc', 'replace', 'dev', leg.iface, 'root', 'netem', ...netemArgs(leg)]);
      continue;
    }
    const ifb = ifbName(leg.iface);
    commands.push(
      ['ip', 'link', 'add', ifb, 'type', 'ifb'],
      ['ip', 'link', 'set', ifb, 'up'],
      ['tc', 'qdisc', 'replace', 'dev', leg.iface, 'handle', 'ffff:', 'ingress'],
      ['tc', 'filter', 'add', 'dev', leg.iface, 'parent', 'ffff:', 'protocol', 'all', 'u32', 'match', 'u32', '0', '0', 'action', 'mirred', 'egress', 'redirect', 'dev', ifb],
      ['tc', 'qdisc', 'replace', 'dev', ifb, 'root', 'netem', ...netemArgs(leg)],
    );
  }
  return { node, legs: nodeLegs, commands, helpers: [], nftables: null, undo: undoCommands(commands, false) };
}

// ---- nfqueue ----

/** nfq-impair's arguments for one leg. */
export function helperArgs(leg: Omit<ImpairmentFields, 'direction'>, queue: number): string[] {
  const args = ['--queue', String(queue)];
  if (leg.delayMs > 0) args.push('--delay', String(leg.delayMs));
  if (leg.jitterMs > 0) args.push('--jitter', String(leg.jitterMs));
  if (leg.burstLoss) args.push('--ge', [leg.burstLoss.p, leg.burstLoss.r, leg.burstLoss.lossInBad, leg.burstLoss.lossInGood].join(','));
  else if (leg.loss > 0) args.push('--loss', String(leg.loss));
  if (leg.duplicate > 0) args.push('--dup', String(leg.duplicate));
  if (leg.reorder > 0) args.push('--reorder', String(leg.reorder));
  if (leg.rateKbps > 0) args.push('--rate', String(leg.rateKbps), '--limit', String(leg.queue));
  return args;
}

const NOT_DUPLICATE = ['-m', 'mark', '!', '--mark', `0x${DUP_MARK.toString(16)}/0x${DUP_MARK.toString(16)}`];

/** The iptables commands that send one leg's packets to its queue. */
export function queueRules(leg: AppliedImpairment, queue: number, topology: Topology): string[][] {
  const to = ['-j', 'NFQUEUE', '--queue-num', String(queue)];
  if (leg.direction === 'in') return [['iptables', '-t', 'raw', '-A', 'PREROUTING', '-i', leg.iface, ...NOT_DUPLICATE, ...to]];
  const router = topology.routers.find((r) => r.name === leg.node);
  if (!router) return [['iptables', '-t', 'raw', '-A', 'OUTPUT', '-o', leg.iface, ...NOT_DUPLICATE, ...to]];
  if (router.outside.name !== leg.iface) return [['iptables', '-t', 'mangle', '-A', 'FORWARD', '-o', leg.iface, ...NOT_DUPLICATE, ...to]];
  // Before routing: "will leave by the outside interface" is "came in elsewhere, for an address
  // beyond the inside subnets and the router's own".
  const chain = `IMPAIR${queue}`;
  const own = [...router.inside.flatMap((i) => i.addresses), ...router.outside.addresses];
  const insideSubnets = router.inside.map((i) => topology.segments.find((s) => s.name === i.segment)!.subnet);
  return [
    ['iptables', '-t', 'raw', '-N', chain],
    ...[...insideSubnets, ...own.map((a) => `${a}/32`)].map((d) => ['iptables', '-t', 'raw', '-A', chain, '-d', d, '-j', 'RETURN']),
    ['iptables', '-t', 'raw', '-A', chain, ...to],
    ['iptables', '-t', 'raw', '-A', 'PREROUTING', '!', '-i', leg.iface, ...NOT_DUPLICATE, '-j', chain],
  ];
}

/**
 * Copies the packets nfq-impair marked: after NAT on the way out (so the copy carries the
 * translated addresses) and on local delivery. The mark is cleared first so a copy is never copied.
 */
export function duplicateRuleset(): string {
  const mark = `0x${DUP_MARK.toString(16)}`;
  const keep = `0x${(~DUP_MARK >>> 0).toString(16)}`;
  const rule = `meta mark & ${mark} == ${mark} meta mark set meta mark & ${keep} dup to ip daddr`;
  return [
    'table ip labimpair {',
    `  chain post { type filter hook postrouting priority srcnat + 10; ${rule}; }`,
    `  chain local { type filter hook input priority 10; ${rule}; }`,
    '}',
    '',
  ].join('\n');
}

function nfqueuePlan(node: string, nodeLegs: AppliedImpairment[], topology: Topology): NodeImpairPlan {
  const helpers = nodeLegs.map((leg, queue) => ({ leg, args: helperArgs(leg, queue) }));
  const commands = nodeLegs.flatMap((leg, queue) => queueRules(leg, queue, topology));
  const nftables = nodeLegs.some((l) => l.duplicate > 0) ? duplicateRuleset() : null;
  return { node, legs: nodeLegs, commands, helpers, nftables, undo: undoCommands(commands, nftables !== null) };
}

/**
 * The commands that reverse `commands`, last first: iptables -A becomes -D and -N becomes -X (a
 * chain goes once its rules and the jump to it are gone); a netem qdisc, the ingress qdisc (with
 * its filter) and the ifb device are deleted. Duplication's nftables table goes last.
 */
export function undoCommands(commands: string[][], duplication: boolean): string[][] {
  const undo = [...commands].reverse().flatMap((argv): string[][] => {
    const [tool, ...rest] = argv;
    if (tool === 'iptables') {
      const op = rest.findIndex((a) => a === '-A' || a === '-N');
      return [['iptables', ...rest.slice(0, op), rest[op] === '-A' ? '-D' : '-X', ...rest.slice(op + 1)]];
    }
    if (tool === 'tc' && rest[0] === 'qdisc') return [['tc', 'qdisc', 'del', 'dev', rest[3], rest.includes('ingress') ? 'ingress' : 'root']];
    if (tool === 'ip' && rest[0] === 'link' && rest[1] === 'add') return [['ip', 'link', 'del', rest[2]]];
    return [];
  });
  return duplication ? [...undo, ['nft', 'delete', 'table', 'ip', 'labimpair']] : undo;
}
