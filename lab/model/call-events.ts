/**
 * Events during a call (scenario `events:`): what happens to the network while the call is up,
 * each at `atMs` after the viewer's first frame. The file shapes (zod), the resolved type, and the
 * checks against the topology (unknown node, a handover to a LAN that does not exist, ...).
 */
import { z } from 'zod';
import type { Problem } from './validate.js';
import { routerServing, type Topology } from './topology.js';

const forMs = z.number().int().positive().max(600_000);
const node = z.string().min(1);

/** One event as a scenario file writes it: `atMs` and exactly one action. */
export const callEventFileSchema = z.union([
  z.strictObject({ atMs: z.number().int().min(0), rebind: node.describe('a NAT router: it drops its UDP state and maps its hosts to new ports') }),
  z.strictObject({ atMs: z.number().int().min(0), handover: z.strictObject({ host: node, to: node.describe('a LAN of the topology, served by a router') }) }),
  z.strictObject({ atMs: z.number().int().min(0), linkDown: z.strictObject({ node, iface: z.string().min(1), forMs }) }),
  z.strictObject({ atMs: z.number().int().min(0), stop: z.enum(['turn', 'signaling']) }),
  z.strictObject({ atMs: z.number().int().min(0), start: z.enum(['turn', 'signaling']) }),
  z.strictObject({ atMs: z.number().int().min(0), block: z.strictObject({ node, udp: z.boolean().default(false), tcp: z.boolean().default(false), forMs: forMs.optional() }) }),
]);

export type CallEventFile = z.infer<typeof callEventFileSchema>;

export type CallAction =
  | { kind: 'rebind'; node: string }
  | { kind: 'handover'; host: string; to: string }
  | { kind: 'linkDown'; node: string; iface: string; forMs: number }
  | { kind: 'stop' | 'start'; service: 'turn' | 'signaling' }
  | { kind: 'block'; node: string; udp: boolean; tcp: boolean; forMs: number | null };

export interface CallEvent {
  /** Position in the scenario's list (its name in the result: events[i]). */
  index: number;
  /** ms after the first frame. */
  atMs: number;
  action: CallAction;
  /** One line for humans: "rebind nata", "handover a -> lanc", "linkDown natb/wan0 3000 ms". */
  label: string;
}

/** What the call is judged on (scenario `expect:`). */
export const callExpectationShape = {
  /** Every event's recovery (network restored -> frames flow again) within maxMs. */
  recovery: z.strictObject({ maxMs: z.number().positive() }).optional(),
  /** Every outage (a gap in the frames) shorter than maxMs. */
  outage: z.strictObject({ maxMs: z.number().positive() }).optional(),
  /** Lowest frames per second in any one-second window of the hold. */
  minFps: z.number().positive().optional(),
  /** The path the call ends on, after the last event. */
  afterEvents: z.enum(['direct', 'relay', 'connected']).optional(),
};

export function labelOf(a: CallAction): string {
  switch (a.kind) {
    case 'rebind':
      return `rebind ${a.node}`;
    case 'handover':
      return `handover ${a.host} -> ${a.to}`;
    case 'linkDown':
      return `linkDown ${a.node}/${a.iface} ${a.forMs} ms`;
    case 'stop':
    case 'start':
      return `${a.kind} ${a.service}`;
    case 'block':
      return `block ${[a.udp && 'udp', a.tcp && 'tcp'].filter(Boolean).join('+')} at ${a.node}${a.forMs === null ? '' : ` ${a.forMs} ms`}`;
  }
}

function actionOf(e: CallEventFile): CallAction {
  if ('rebind' in e) return { kind: 'rebind', node: e.rebind };
  if ('handover' in e) return { kind: 'handover', host: e.handover.host, to: e.handover.to };
  if ('linkDown' in e) return { kind: 'linkDown', ...e.linkDown };
  if ('stop' in e) return { kind: 'stop', service: e.stop };
  if ('start' in e) return { kind: 'start', service: e.start };
  return { kind: 'block', node: e.block.node, udp: e.block.udp, tcp: e.block.tcp, forMs: e.block.forMs ?? null };
}

/**
 * Resolves the events and checks them against the topology and the hold; problems go to `problems`
 * with their path (events[2].handover.to: ...).
 */
export function resolveCallEvents(events: CallEventFile[], holdMs: number | undefined, topology: Topology, problems: Problem[]): CallEvent[] {
  if (events.length && holdMs === undefined) problems.push({ path: ['holdMs'], message: 'events need `holdMs`: how long the call stays up after its first frame (the events happen within it)' });
  const routers = topology.routers.map((r) => r.name);
  const nodes = [...topology.routers.map((r) => r.name), ...topology.hosts.map((h) => h.name)];
  const lans = topology.segments.filter((s) => s.kind === 'lan').map((s) => s.name);
  const hostAt = new Map<string, string>(topology.hosts.map((h) => [h.name, h.iface.segment]));
  return events.map((e, index) => {
    const at = (...path: (string | number)[]) => ['events', index, ...path];
    const action = actionOf(e);
    if (holdMs !== undefined && e.atMs >= holdMs) problems.push({ path: at('atMs'), message: `${e.atMs} ms is not within the hold (holdMs ${holdMs}): the call ends first` });
    const known = (name: string, list: string[], what: string, path: (string | number)[]) => {
      if (list.includes(name)) return true;
      problems.push({ path, message: `topology ${topology.name} has no ${what} "${name}" (${what}s: ${list.join(', ') || 'none'})` });
      return false;
    };
    switch (action.kind) {
      case 'rebind':
        known(action.node, routers, 'router', at('rebind'));
        break;
      case 'handover': {
        const peers = topology.hosts.filter((h) => h.role === 'peer').map((h) => h.name);
        if (!known(action.host, peers, 'host', at('handover', 'host'))) break;
        if (!known(action.to, lans, 'LAN', at('handover', 'to'))) break;
        if (!routerServing(topology, action.to)) problems.push({ path: at('handover', 'to'), message: `LAN "${action.to}" has no router: a host moved there could not reach the internet` });
        if (hostAt.get(action.host) === action.to) problems.push({ path: at('handover', 'to'), message: `host ${action.host} is already on ${action.to} then: hand it over to another LAN` });
        hostAt.set(action.host, action.to);
        break;
      }
      case 'linkDown': {
        if (!known(action.node, nodes, 'node', at('linkDown', 'node'))) break;
        const n = topology.routers.find((r) => r.name === action.node) ?? topology.hosts.find((h) => h.name === action.node)!;
        const ifaces = (n.kind === 'host' ? [n.iface] : [n.outside, ...n.inside]).map((i) => i.name);
        if (!ifaces.includes(action.iface)) problems.push({ path: at('linkDown', 'iface'), message: `${action.node} has no interface "${action.iface}" (it has: ${ifaces.join(', ')})` });
        break;
      }
      case 'block':
        known(action.node, nodes, 'node', at('block', 'node'));
        if (!action.udp && !action.tcp) problems.push({ path: at('block'), message: 'say what to block: `udp: true`, `tcp: true` or both' });
        break;
      case 'stop':
      case 'start':
        break;
    }
    return { index, atMs: e.atMs, action, label: labelOf(action) };
  });
}
