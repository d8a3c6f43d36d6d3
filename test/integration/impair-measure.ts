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

/** Builds the lab, impairs it, starts the probe server on b, and hands over what `measure` returns. */
async function measured<T>(on: Backend, impairments: object[], measure: (lab: StartedLab, b: string) => Promise<T>): Promise<{ value: T; method: string }> {
  return withLab(
    PROBE_TOPOLOGY,
    async (lab) => {
      const applied = await applyImpairments(lab, impairments.map((i) => impairmentSchema.parse(i)));
      const server = lab.spawn('b', ['node', NET_PROBE, 'serve', String(PROBE_PORT)]);
      let value: T;
      try {
        await new Promise<void>((resolve) => createInterface({ input: server.stdout }).on('line', (l) => l.includes('listening') && resolve()));
        const b = lab.topology.hosts.find((h) => h.name === 'b')!.iface.addresses[0];
        value = await measure(lab, b);
      } finally {
        await server.stop(200);
        const views = await applied.stop();
        console.log(`impairments on ${on.name} (${applied.method}): helper counters ${JSON.stringify(views.map((v) => [v.node, v.direction, v.counters]))}`);
      }
      return { value, method: applied.method };
    },
    on,
  );
}

async function probeJson(lab: StartedLab, args: string[]) {
  const r = await lab.exec('a', ['node', NET_PROBE, ...args], { timeoutMs: 30_000 });
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

export interface MeasuredCase {
  name: string;
  run(on: Backend): Promise<void>;
}

export const MEASURED_CASES: MeasuredCase[] = [
  {
    name: 'round-trip time: 40 ms each way on the router and 20 ms out of host b add up to 100 ms (within 10%)',
    async run(on) {
      const { value, method } = await measured(
        on,
        [
          { node: 'nata', iface: 'wan0', delayMs: 40 },
          { node: 'b', iface: 'eth0', delayMs: 20, direction: 'out' },
        ],
        (lab, b) => probeJson(lab, ['rtt', b, String(PROBE_PORT), '100', '10']),
      );
      console.log(`impairments on ${on.name} (${method}): rtt ${JSON.stringify(value.rttMs)}`);
      expect(value.received).toBe(100);
      expect(Math.abs(value.rttMs.p50 - 100)).toBeLessThanOrEqual(10);
      expect(value.rttMs.min).toBeGreaterThanOrEqual(100);
    },
  },
  {
    name: 'loss: 10% out of the router, over 2000 packets, within 2 points',
    async run(on) {
      const { value, method } = await measured(on, [{ node: 'nata', iface: 'wan0', loss: 0.1, direction: 'out' }], (lab, b) => probeJson(lab, ['rtt', b, String(PROBE_PORT), '2000', '1']));
      console.log(`impairments on ${on.name} (${method}): loss ${value.lossShare} of ${value.sent}`);
      expect(value.sent).toBe(2000);
      expect(Math.abs(value.lossShare - 0.1)).toBeLessThanOrEqual(0.02);
    },
  },
  {
    name: 'rate: 2000 kbit/s out of the router holds a 4000 kbit/s UDP blast to within 10%',
    async run(on) {
      const { value, method } = await measured(on, [{ node: 'nata', iface: 'wan0', rateKbps: 2000, queue: 50, direction: 'out' }], (lab, b) => probeJson(lab, ['blast', b, String(PROBE_PORT), '4000', '3000']));
      console.log(`impairments on ${on.name} (${method}): rate ${value.rateKbps.toFixed(0)} kbit/s over ${value.spanMs.toFixed(0)} ms`);
      expect(Math.abs(value.rateKbps - 2000)).toBeLessThanOrEqual(200);
      expect(value.receivedBytes).toBeLessThan(value.sentBytes);
    },
  },
];
