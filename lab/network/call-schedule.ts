/**
 * The executor of a scenario's `events:`: each at its time after the first frame, inside the lab's
 * nodes (nft, iproute2), and each recorded with the real time it took effect.
 *
 * - rebind: the NAT's UDP state moves to a fresh conntrack zone (every UDP flow through it starts
 *   over: new conntrack entries, so new mappings) and new mapping rules move the ports. TCP flows
 *   (signaling) keep their entries. This kernel's userland has no `conntrack` tool, and a zone
 *   switch is what "the NAT forgot its bindings" looks like from both sides.
 * - handover: StartedLab.moveHost (the host's interface leaves its LAN and joins another).
 * - linkDown: ip link set down, then up after forMs, with the node's default route (and the
 *   internet's void neighbour) put back, since the kernel drops them with the link.
 * - block: an nft table of its own dropping UDP and/or TCP in the node's input, forward and output.
 * - stop/start turn: coturn stopped (its allocations die with it) or started again.
 * - stop/start signaling: the signaling port on the services host drops every packet.
 */
import type { StartedLab } from '../backends/backend.js';
import { planNodes } from '../backends/common/node-plan.js';
import type { CallAction, CallEvent } from '../model/call-events.js';
import { LabError } from '../model/errors.js';
import { formatAddress, nthHost, parseCidr } from '../model/ipv4.js';
import { routerServing } from '../model/topology.js';
import { rebindMappingRules, TABLE } from '../nat/ruleset.js';
import { SERVICES_PORT } from '../services/lab-services.js';
import { monotonicMs } from '../util/clock.js';
import { hash32 } from '../util/ids.js';

export interface CallControls {
  turn: { stop(): Promise<void>; start(): Promise<void> };
}

/** One event as it happened; times on the lab's monotonic clock. */
export interface AppliedCallEvent {
  index: number;
  label: string;
  kind: CallAction['kind'];
  /** Planned, ms after the first frame. */
  atMs: number;
  /** When the action began and when it had taken effect; null: never (the run ended first, or it failed). */
  startedT: number | null;
  appliedT: number | null;
  /**
   * Events with forMs: when the undo command was issued and when it returned. The network is back
   * somewhere between the two (a docker exec takes 50-100 ms, and frames often flow before it
   * returns), so recovery counts from the issue.
   */
  restoreStartedT: number | null;
  restoredT: number | null;
  /** What was done, e.g. the new address of a handed-over host. */
  detail: string | null;
  error: string | null;
}

export class CallSchedule {
  readonly applied: AppliedCallEvent[];
  private timers = new Set<NodeJS.Timeout>();
  private running = new Set<Promise<unknown>>();
  private rebinds = 0;
  /** Addresses handovers gave out. */
  private taken = new Set<string>();
  private stopped = false;

  constructor(
    private readonly lab: StartedLab,
    private readonly events: CallEvent[],
    private readonly controls: CallControls,
    private readonly progress: (line: string) => void,
  ) {
    this.applied = events.map((e) => ({ index: e.index, label: e.label, kind: e.action.kind, atMs: e.atMs, startedT: null, appliedT: null, restoreStartedT: null, restoredT: null, detail: null, error: null }));
  }

  /** Schedules every event at t0 + atMs (t0: the first frame, monotonic ms). Idempotent. */
  start(t0: number): void {
    if (this.timers.size || this.stopped) return;
    for (const e of this.events) this.later(t0 + e.atMs, () => this.apply(e));
  }

  /** Cancels what has not happened yet and waits for what is under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.running]);
  }

  private later(t: number, fn: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.stopped) return;
      const p = fn().finally(() => this.running.delete(p));
      this.running.add(p);
    }, Math.max(0, t - monotonicMs()));
    this.timers.add(timer);
  }

  private async apply(e: CallEvent): Promise<void> {
    const rec = this.applied[e.index];
    rec.startedT = monotonicMs();
    try {
      const restore = await this.act(e.action, rec);
      rec.appliedT = monotonicMs();
      this.progress(`event ${e.label} applied${rec.detail ? ` (${rec.detail})` : ''}`);
      if (restore) {
        this.later(rec.appliedT + restore.afterMs, async () => {
          try {
            rec.restoreStartedT = monotonicMs();
            await restore.undo();
            rec.restoredT = monotonicMs();
            this.progress(`event ${e.label}: restored`);
          } catch (err) {
            rec.error = `restoring: ${(err as Error).message}`;
          }
        });
      }
    } catch (err) {
      rec.error = (err as Error).message;
      this.progress(`event ${e.label} failed: ${rec.error}`);
    }
  }

  /** Does one action; for timed ones, returns how to undo it and when. */
  private async act(a: CallAction, rec: AppliedCallEvent): Promise<{ afterMs: number; undo: () => Promise<void> } | null> {
    const nft = (node: string, script: string) => this.lab.exec(node, ['nft', '-f', '-'], { input: script + '\n', purpose: rec.label });
    switch (a.kind) {
      case 'rebind': {
        const router = this.lab.topology.routers.find((r) => r.name === a.node)!;
        const zone = ++this.rebinds;
        const rules = rebindMappingRules({ iface: router.outside.name, address: router.outside.addresses[0] }, router.nat, hash32(`${this.lab.id}/${router.name}/rebind/${zone}`));
        // Mapping rules first, then the zone switch: the first packet in the new zone takes a new port.
        await nft(
          a.node,
          [
            ...rules.map((r) => `insert rule ip ${TABLE} postrouting ${r}`),
            `table ip lab_rebind {\n  chain udpzone {\n    type filter hook prerouting priority raw; policy accept;\n  }\n}`,
            `flush chain ip lab_rebind udpzone`,
            `add rule ip lab_rebind udpzone meta l4proto udp ct zone set ${zone}`,
          ].join('\n'),
        );
        rec.detail = `UDP state in conntrack zone ${zone}${rules.length ? ', ports rehashed' : ', fully random ports'}`;
        return null;
      }
      case 'handover': {
        if (!this.lab.moveHost) throw new LabError('usage', `the ${this.lab.backend} backend cannot move a host to another network`);
        const address = freeAddress(this.lab, a.to, this.taken);
        this.taken.add(address);
        const gateway = routerServing(this.lab.topology, a.to)!.inside.find((i) => i.segment === a.to)!.addresses[0];
        const iface = await this.lab.moveHost(a.host, a.to, address, gateway);
        rec.detail = `${a.host} is ${address} on ${a.to} (${iface}), via ${gateway}`;
        return null;
      }
      case 'linkDown': {
        await this.lab.exec(a.node, ['ip', 'link', 'set', a.iface, 'down'], { purpose: rec.label });
        const plan = planNodes(this.lab.topology, this.lab.id).nodes.find((n) => n.node === a.node)!;
        return {
          afterMs: a.forMs,
          undo: async () => {
            const lines = [`link set ${a.iface} up`];
            if (plan.voidNeighbour?.dev === a.iface) lines.push(`neigh replace ${plan.voidNeighbour.address} lladdr ${plan.voidNeighbour.mac} dev ${a.iface} nud permanent`);
            if (plan.defaultRoute.dev === a.iface) lines.push(`route replace default via ${plan.defaultRoute.via} dev ${a.iface}`);
            await this.lab.exec(a.node, ['ip', '-batch', '-'], { input: lines.join('\n') + '\n', purpose: `${rec.label}: up again` });
          },
        };
      }
      case 'block': {
        const table = `lab_block_${rec.index}`;
        const what = [a.udp && 'udp', a.tcp && 'tcp'].filter(Boolean).join(', ');
        const match = a.udp && a.tcp ? `meta l4proto { ${what} }` : `meta l4proto ${what}`;
        const chains = ['input', 'forward', 'output'].flatMap((hook) => [`  chain ${hook} {`, `    type filter hook ${hook} priority filter - 10; policy accept;`, `    ${match} drop`, `  }`]);
        await nft(a.node, [`table inet ${table} {`, ...chains, '}'].join('\n'));
        if (a.forMs === null) return null;
        return { afterMs: a.forMs, undo: async () => void (await nft(a.node, `delete table inet ${table}`)) };
      }
      case 'stop':
      case 'start': {
        if (a.service === 'turn') {
          await (a.kind === 'stop' ? this.controls.turn.stop() : this.controls.turn.start());
          return null;
        }
        const host = this.lab.topology.services.host;
        if (a.kind === 'stop') {
          await nft(host, [`table inet lab_signaling_down {`, `  chain input {`, `    type filter hook input priority filter - 10; policy accept;`, `    tcp dport ${SERVICES_PORT} drop`, `  }`, `  chain output {`, `    type filter hook output priority filter - 10; policy accept;`, `    tcp sport ${SERVICES_PORT} drop`, `  }`, `}`].join('\n'));
        } else {
          await nft(host, `delete table inet lab_signaling_down`);
        }
        return null;
      }
    }
  }
}

/** An address on `segment` that no node of the topology has (the first from .2 up). */
function freeAddress(lab: StartedLab, segment: string, taken: Set<string>): string {
  const seg = lab.topology.segments.find((s) => s.name === segment)!;
  const cidr = parseCidr(seg.subnet)!;
  const used = new Set([...taken, ...lab.topology.hosts.flatMap((h) => h.iface.addresses), ...lab.topology.routers.flatMap((r) => [r.outside, ...r.inside].flatMap((i) => i.addresses))]);
  for (let n = 2; ; n++) {
    const a = nthHost(cidr, n);
    if (a === null) throw new LabError('backend', `no free address left on ${segment} (${seg.subnet}) for a handover`);
    if (!used.has(formatAddress(a))) return formatAddress(a);
  }
}
