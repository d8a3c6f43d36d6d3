// The measured impairment cases (docs/impairments.md), one definition for every backend: what a
// probe between host a (behind router nata) and host b (on the internet) sees against what was
// configured. impairments.test.ts runs them on netns, docker-dynamics.test.ts on docker.
import { createInterface } from 'node:readline';
import { expect } from 'vitest';
import type { Backend, StartedLab } from '../../lab/backends/backend.js';
import { impairmentSchema } from '../../lab/model/impairment.js';
import { applyImpairments } from '../../lab/network/impair/apply.js';
import { NET_PROBE, PROBE_PORT, PROBE_TOPOLOGY } from '../../lab/network/impair/probe-lab.js';
import { withLab } from './helpers.js';

/** How a case gets its lab: runs fn in a probe lab (PROBE_TOPOLOGY). */
export type ProbeLabs = <T>(fn: (lab: StartedLab) => Promise<T>) => Promise<T>;

/** A lab of its own for each case (netns: labs are cheap, and several can be up at once). */
export const freshLabs = (on: Backend): ProbeLabs => (fn) => withLab(PROBE_TOPOLOGY, fn, on);

/** One lab for every case, one after another (docker: slow to build, one lab of an address plan at a time). */
export const sharedLab = (lab: () => StartedLab): ProbeLabs => (fn) => fn(lab());

/**
 * Impairs the lab, starts the probe server on b, and hands over what `measure` returns; then takes
 * the impairments off again and checks that no queue rule is left (the next case may use the lab).
 */
async function measured<T>(labs: ProbeLabs, impairments: object[], measure: (lab: StartedLab, b: string) => Promise<T>): Promise<{ value: T; method: string }> {
  return labs(async (lab) => {
    const applied = await applyImpairments(lab, impairments.map((i) => impairmentSchema.parse(i)));
    let value: T;
    try {
      const server = lab.spawn('b', ['node', NET_PROBE, 'serve', String(PROBE_PORT)]);
      try {
        await new Promise<void>((resolve) => createInterface({ input: server.stdout }).on('line', (l) => l.includes('listening') && resolve()));
        const b = lab.topology.hosts.find((h) => h.name === 'b')!.iface.addresses[0];
        value = await measure(lab, b);
      } finally {
        await server.stop(200);
      }
    } finally {
      const views = await applied.remove();
      console.log(`impairments on ${lab.backend} (${applied.method}): helper counters ${JSON.stringify(views.map((v) => [v.node, v.direction, v.counters]))}`);
    }
    if (applied.method === 'nfqueue') {
      for (const node of new Set(applied.legs.map((l) => l.node))) {
        for (const table of ['raw', 'mangle']) expect((await lab.exec(node, ['iptables', '-t', table, '-S'])).stdout, `${node} ${table} after remove()`).not.toMatch(/NFQUEUE|IMPAIR/);
      }
    }
    return { value, method: applied.method };
  });
}

async function probeJson(lab: StartedLab, args: string[]) {
  const r = await lab.exec('a', ['node', NET_PROBE, ...args], { timeoutMs: 30_000 });
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

export interface MeasuredCase {
  name: string;
  run(labs: ProbeLabs): Promise<void>;
}

export const MEASURED_CASES: MeasuredCase[] = [
  {
    name: 'round-trip time: 40 ms each way on the router and 20 ms out of host b add up to 100 ms (within 10%)',
    async run(labs) {
      const { value, method } = await measured(
        labs,
        [
          { node: 'nata', iface: 'wan0', delayMs: 40 },
          { node: 'b', iface: 'eth0', delayMs: 20, direction: 'out' },
        ],
        (lab, b) => probeJson(lab, ['rtt', b, String(PROBE_PORT), '100', '10']),
      );
      console.log(`impairments (${method}): rtt ${JSON.stringify(value.rttMs)}`);
      expect(value.received).toBe(100);
      expect(Math.abs(value.rttMs.p50 - 100)).toBeLessThanOrEqual(10);
      expect(value.rttMs.min).toBeGreaterThanOrEqual(100);
    },
  },
  // A burst under jitter is clamped to one release time (no reordering); the helper once let those
  // leave in any order, which shuffled DTLS flights and broke werift's handshake (mobile-cgnat).
  {
    name: 'jitter without reorder keeps the order: 500 packets in bursts of 5 under 10 ms +-5 ms each way arrive in order',
    async run(labs) {
      const { value, method } = await measured(labs, [{ node: 'nata', iface: 'wan0', delayMs: 10, jitterMs: 5 }], (lab, b) => probeJson(lab, ['rtt', b, String(PROBE_PORT), '500', '2', '5']));
      console.log(`impairments (${method}): ${value.reordered} of ${value.received} early, rtt ${JSON.stringify(value.rttMs)}`);
      expect(value.received).toBe(500);
      expect(value.reordered).toBe(0);
    },
  },
  {
    name: 'loss: 10% out of the router, over 2000 packets, within 2 points',
    async run(labs) {
      const { value, method } = await measured(labs, [{ node: 'nata', iface: 'wan0', loss: 0.1, direction: 'out' }], (lab, b) => probeJson(lab, ['rtt', b, String(PROBE_PORT), '2000', '1']));
      console.log(`impairments (${method}): loss ${value.lossShare} of ${value.sent}`);
      expect(value.sent).toBe(2000);
      expect(Math.abs(value.lossShare - 0.1)).toBeLessThanOrEqual(0.02);
    },
  },
  {
    name: 'rate: 2000 kbit/s out of the router holds a 4000 kbit/s UDP blast to within 10%',
    async run(labs) {
      const { value, method } = await measured(labs, [{ node: 'nata', iface: 'wan0', rateKbps: 2000, queue: 50, direction: 'out' }], (lab, b) => probeJson(lab, ['blast', b, String(PROBE_PORT), '4000', '3000']));
      console.log(`impairments (${method}): rate ${value.rateKbps.toFixed(0)} kbit/s over ${value.spanMs.toFixed(0)} ms`);
      expect(Math.abs(value.rateKbps - 2000)).toBeLessThanOrEqual(200);
      expect(value.receivedBytes).toBeLessThan(value.sentBytes);
    },
  },
];
