/**
 * Link impairments (docs/impairments.md): what a topology file or scenario may ask of a node's
 * interface, per direction. The schema checks each field; impairmentProblems checks them against
 * the topology (node and interface exist) and against each other.
 */
import { z } from 'zod';
import type { Topology } from './topology.js';
import type { Problem } from './validate.js';

export const DIRECTIONS = ['in', 'out', 'both'] as const;
export type Direction = (typeof DIRECTIONS)[number];

const share = (what: string) => z.number({ error: `${what} must be a number from 0 to 1 (0.05 = 5%)` }).min(0, `${what} must be from 0 to 1 (0.05 = 5%)`).max(1, `${what} must be from 0 to 1 (0.05 = 5%)`);
const millis = (what: string) => z.number({ error: `${what} must be a number of milliseconds` }).min(0, `${what} must be >= 0 ms`).max(60_000, `${what} must be at most 60000 ms`);

/** Gilbert-Elliott burst loss: a good and a bad state, and the loss in each. */
export const burstLossSchema = z.strictObject({
  /** Chance per packet of moving from the good state to the bad one. */
  p: share('burstLoss.p'),
  /** Chance per packet of moving from the bad state back to the good one. */
  r: share('burstLoss.r'),
  lossInBad: share('burstLoss.lossInBad').default(1),
  lossInGood: share('burstLoss.lossInGood').default(0),
});

/** The impairment fields without where they apply: an impairment profile (matrix --impair). */
export const impairmentFieldsSchema = z.strictObject({
  /** One-way delay added in each direction the entry covers. */
  delayMs: millis('delayMs').default(0),
  /** Uniform spread around delayMs (delayMs +- jitterMs); packets keep their order unless `reorder`. */
  jitterMs: millis('jitterMs').default(0),
  /** Random loss share. */
  loss: share('loss').default(0),
  burstLoss: burstLossSchema.optional(),
  /** Share of packets sent twice. */
  duplicate: share('duplicate').default(0),
  /** Share of packets sent at once, overtaking the ones held for their delay (needs delayMs). */
  reorder: share('reorder').default(0),
  /** Link rate in kbit/s (IP bytes); 0: unlimited. */
  rateKbps: z.number({ error: 'rateKbps must be a number of kbit/s' }).min(0, 'rateKbps must be >= 0').max(10_000_000, 'rateKbps must be at most 10000000 (10 Gbit/s)').default(0),
  /** Packets the rate limiter queues before it drops (tail drop). */
  queue: z.number().int('queue must be a whole number of packets').min(1, 'queue must be at least 1 packet').max(100_000, 'queue must be at most 100000 packets').default(100),
  direction: z.enum(DIRECTIONS, { error: 'direction must be in, out or both' }).default('both'),
});

export const impairmentSchema = impairmentFieldsSchema.extend({
  /** A router or host of the topology. */
  node: z.string({ error: 'node must name a router or host of the topology' }),
  /** One of that node's interfaces: wan0, lan0... for a router, eth0 for a host. */
  iface: z.string({ error: 'iface must name an interface of the node (wan0, lan0, eth0)' }),
});

export type ImpairmentFields = z.infer<typeof impairmentFieldsSchema>;
export type Impairment = z.infer<typeof impairmentSchema>;
export type BurstLoss = z.infer<typeof burstLossSchema>;

/** How a run made its impairments: the kernel's netem, or the lab's own NFQUEUE helper (nfq-impair). */
export const IMPAIR_METHODS = ['netem', 'nfqueue'] as const;
export type ImpairMethod = (typeof IMPAIR_METHODS)[number];

/** One direction of one interface, as the run applied it. */
export interface AppliedImpairment extends Omit<ImpairmentFields, 'direction'> {
  node: string;
  iface: string;
  direction: 'in' | 'out';
  method: ImpairMethod;
}

/** What nfq-impair counted for one direction. */
export interface ImpairCounters {
  seen: number;
  dropped: number;
  queueDrops: number;
  duplicated: number;
  reordered: number;
}

/** RunResult.impairments: each direction applied, and (nfqueue path) what its helper counted. */
export interface ImpairmentView extends AppliedImpairment {
  counters?: ImpairCounters;
}

/** The interfaces of a node of the topology, or null when there is no such node. */
export function nodeInterfaces(t: Topology, node: string): string[] | null {
  const router = t.routers.find((r) => r.name === node);
  if (router) return [router.outside.name, ...router.inside.map((i) => i.name)];
  const host = t.hosts.find((h) => h.name === node);
  return host ? [host.iface.name] : null;
}

/** What is wrong with a list of impairments on this topology; paths start at the list. */
export function impairmentProblems(list: Impairment[], t: Topology, at: (string | number)[]): Problem[] {
  const problems: Problem[] = [];
  const seen = new Map<string, number>();
  list.forEach((imp, i) => {
    const path = [...at, i];
    const ifaces = nodeInterfaces(t, imp.node);
    const nodes = [...t.routers.map((r) => r.name), ...t.hosts.map((h) => h.name)];
    if (!ifaces) problems.push({ path: [...path, 'node'], message: `topology ${t.name} has no node "${imp.node}" (nodes: ${nodes.join(', ')})` });
    else if (!ifaces.includes(imp.iface)) problems.push({ path: [...path, 'iface'], message: `node "${imp.node}" has no interface "${imp.iface}" (it has: ${ifaces.join(', ')})` });
    if (imp.burstLoss && imp.loss > 0) problems.push({ path: [...path, 'burstLoss'], message: 'give either loss (random) or burstLoss (Gilbert-Elliott), not both' });
    if (imp.jitterMs > imp.delayMs) problems.push({ path: [...path, 'jitterMs'], message: `jitterMs (${imp.jitterMs}) must not exceed delayMs (${imp.delayMs}): a packet cannot leave before it was sent` });
    if (imp.reorder > 0 && imp.delayMs === 0) problems.push({ path: [...path, 'reorder'], message: 'reorder needs a delayMs: reordered packets are the ones sent without the delay' });
    for (const dir of expand(imp.direction)) {
      const key = `${imp.node}/${imp.iface}/${dir}`;
      if (seen.has(key)) problems.push({ path: [...path, 'direction'], message: `${imp.node} ${imp.iface} direction ${dir} is already impaired by entry ${seen.get(key)}: merge them into one entry` });
      else seen.set(key, i);
    }
  });
  return problems;
}

export function expand(direction: Direction): ('in' | 'out')[] {
  return direction === 'both' ? ['out', 'in'] : [direction];
}

/**
 * A scenario's impairments over its topology's defaults: a scenario entry replaces the
 * topology's entry for the same node, interface and direction.
 */
export function mergeImpairments(defaults: Impairment[], overrides: Impairment[]): Impairment[] {
  const taken = new Set(overrides.flatMap((o) => expand(o.direction).map((d) => `${o.node}/${o.iface}/${d}`)));
  const kept = defaults.flatMap((d) => {
    const left = expand(d.direction).filter((dir) => !taken.has(`${d.node}/${d.iface}/${dir}`));
    if (!left.length) return [];
    return [left.length === 2 ? d : { ...d, direction: left[0] }];
  });
  return [...kept, ...overrides];
}

/** The long-run loss share of a Gilbert-Elliott chain (its stationary state mix). */
export function burstLossShare(b: BurstLoss): number {
  if (b.p + b.r === 0) return b.lossInGood;
  const bad = b.p / (b.p + b.r);
  return bad * b.lossInBad + (1 - bad) * b.lossInGood;
}

/** Whether an entry changes anything. */
export function isNoop(f: ImpairmentFields): boolean {
  return f.delayMs === 0 && f.jitterMs === 0 && f.loss === 0 && !f.burstLoss && f.duplicate === 0 && f.reorder === 0 && f.rateKbps === 0;
}
