// Link impairments, measured (docs/impairments.md): what a probe between two lab hosts sees
// against what was configured, then what WebRTC runs report over impaired links.
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import type { StartedLab } from '../../lab/backends/backend.js';
import { impairmentSchema } from '../../lab/model/impairment.js';
import { loadScenario, scenarioFromData } from '../../lab/model/scenario.js';
import { applyImpairments } from '../../lab/network/impair/apply.js';
import { runInTest, runRepeatedInTest, withLab } from './helpers.js';
import { NET_PROBE, PROBE_PORT, PROBE_TOPOLOGY } from '../../lab/network/impair/probe-lab.js';

const topology = PROBE_TOPOLOGY;
const PORT = PROBE_PORT;
const probe = NET_PROBE;

/** Builds the lab, impairs it, starts the probe server on b, and hands over what `measure` returns. */
async function measured<T>(impairments: object[], measure: (lab: StartedLab, b: string) => Promise<T>): Promise<{ value: T; method: string }> {
  return withLab(topology, async (lab) => {
    const applied = await applyImpairments(lab, impairments.map((i) => impairmentSchema.parse(i)));
    const server = lab.spawn('b', ['node', probe, 'serve', String(PORT)]);
    let value: T;
    try {
      await new Promise<void>((resolve) => createInterface({ input: server.stdout }).on('line', (l) => l.includes('listening') && resolve()));
      const b = lab.topology.hosts.find((h) => h.name === 'b')!.iface.addresses[0];
      value = await measure(lab, b);
    } finally {
      await server.stop(200);
      const views = await applied.stop();
      console.log(`impairments (${applied.method}): helper counters ${JSON.stringify(views.map((v) => [v.node, v.direction, v.counters]))}`);
    }
    return { value, method: applied.method };
  });
}

async function probeJson(lab: StartedLab, args: string[]) {
  const r = await lab.exec('a', ['node', probe, ...args], { timeoutMs: 30_000 });
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

describe.concurrent('link impairments, measured', () => {
  it('round-trip time: 40 ms each way on the router and 20 ms out of host b add up to 100 ms (within 10%)', async () => {
    const { value, method } = await measured(
      [
        { node: 'nata', iface: 'wan0', delayMs: 40 },
        { node: 'b', iface: 'eth0', delayMs: 20, direction: 'out' },
      ],
      (lab, b) => probeJson(lab, ['rtt', b, String(PORT), '100', '10']),
    );
    console.log(`impairments (${method}): rtt ${JSON.stringify(value.rttMs)}`);
    expect(value.received).toBe(100);
    expect(Math.abs(value.rttMs.p50 - 100)).toBeLessThanOrEqual(10);
    expect(value.rttMs.min).toBeGreaterThanOrEqual(100);
  });

  // A burst under jitter is clamped to one release time (no reordering); the helper once let those
  // leave in any order, which shuffled DTLS flights and broke werift's handshake (mobile-cgnat).
  it('jitter without reorder keeps the order: 500 packets in bursts of 5 under 10 ms +-5 ms each way arrive in order', async () => {
    const { value, method } = await measured([{ node: 'nata', iface: 'wan0', delayMs: 10, jitterMs: 5 }], (lab, b) => probeJson(lab, ['rtt', b, String(PORT), '500', '2', '5']));
    console.log(`impairments (${method}): ${value.reordered} of ${value.received} early, rtt ${JSON.stringify(value.rttMs)}`);
    expect(value.received).toBe(500);
    expect(value.reordered).toBe(0);
  });

  it('loss: 10% out of the router, over 2000 packets, within 2 points', async () => {
    const { value, method } = await measured([{ node: 'nata', iface: 'wan0', loss: 0.1, direction: 'out' }], (lab, b) => probeJson(lab, ['rtt', b, String(PORT), '2000', '1']));
    console.log(`impairments (${method}): loss ${value.lossShare} of ${value.sent}`);
    expect(value.sent).toBe(2000);
    expect(Math.abs(value.lossShare - 0.1)).toBeLessThanOrEqual(0.02);
  });

  it('rate: 2000 kbit/s out of the router holds a 4000 kbit/s UDP blast to within 10%', async () => {
    const { value, method } = await measured([{ node: 'nata', iface: 'wan0', rateKbps: 2000, queue: 50, direction: 'out' }], (lab, b) => probeJson(lab, ['blast', b, String(PORT), '4000', '3000']));
    console.log(`impairments (${method}): rate ${value.rateKbps.toFixed(0)} kbit/s over ${value.spanMs.toFixed(0)} ms`);
    expect(Math.abs(value.rateKbps - 2000)).toBeLessThanOrEqual(200);
    expect(value.receivedBytes).toBeLessThan(value.sentBytes);
  });
});

/** What a run's checks said, and why its first session failed (the assertion shows it). */
const verdict = (r: { scenario: string; expectations: { ok: boolean }[]; sessions: { failure?: unknown }[] }) => ({ scenario: r.scenario, failedChecks: r.expectations.filter((c) => !c.ok), failure: r.sessions[0]?.failure ?? null });

/**
 * Lossy links: werift's ICE failed to connect in about 1 of 4 runs here at 5% loss (and at 1% each
 * way on mobile-cgnat), "no first frame ... (while ICE)". One retry, recorded and printed; the test
 * fails when both attempts fail.
 */
const LOSSY = { repeat: 1, retries: 1, minPassRate: 1 };

const onPortRestricted = (impairments: object[]) =>
  scenarioFromData(
    {
      name: 'impaired',
      topology: 'port-restricted-cone',
      peers: { camera: { kind: 'pi-camera', host: 'b' }, viewer: { kind: 'viewer', host: 'a' } },
      impairments,
      timeoutMs: 20_000,
      expect: { outcome: 'connected' },
    },
    'test/impaired.yaml',
  );

// One WebRTC test at a time (the presets' three runs go at once): on a busy 2-core machine more runs miss their timers.
describe('WebRTC over impaired links', () => {
  it('100 ms each way on one side: the selected pair reports an ICE RTT of at least 200 ms, and the result names the path', async (ctx) => {
    const r = await runInTest(ctx, onPortRestricted([{ node: 'nata', iface: 'wan0', delayMs: 100 }]));
    expect(verdict(r)).toEqual({ scenario: 'impaired', failedChecks: [], failure: null });
    expect(r.selectedPair.viewer?.rttMs).toBeGreaterThanOrEqual(200);
    expect(r.impairments?.map((i) => `${i.node}.${i.iface}.${i.direction}:${i.delayMs}`)).toEqual(['nata.wan0.out:100', 'nata.wan0.in:100']);
    expect(['netem', 'nfqueue']).toContain(r.impairments![0].method);
    if (r.impairments![0].method === 'nfqueue') expect(r.impairments![0].counters!.seen).toBeGreaterThan(0);
  });

  it('5% loss each way on one side still connects', async (ctx) => {
    const rep = await runRepeatedInTest(ctx, onPortRestricted([{ node: 'nata', iface: 'wan0', loss: 0.05 }]), LOSSY);
    console.log(`5% loss: ${rep.status}, attempts ${JSON.stringify(rep.attempts.map((a) => a.failure ?? a.outcome))}`);
    expect(rep.status).not.toBe('failed');
    expect(verdict(rep.representative)).toEqual({ scenario: 'impaired', failedChecks: [], failure: null });
  });

  // mobile-cgnat failed 3 of 3 in the CI run of 2026-12-01 (DTLS never finished): nfq-impair let a
  // burst under jitter leave in any order, and werift never finished a handshake whose flights came
  // shuffled. Fixed (the order test above); what remains is werift's own (docs/impairments.md): one
  // recorded retry, as for 5% loss.
  it('the real-world presets pass: mobile-cgnat, hotel-wifi, satellite', async (ctx) => {
    const mobile = await runRepeatedInTest(ctx, loadScenario('mobile-cgnat'), LOSSY);
    console.log(`mobile-cgnat: ${mobile.status}, attempts ${JSON.stringify(mobile.attempts.map((a) => a.failure ?? a.outcome))}`);
    expect(mobile.status).not.toBe('failed');
    const runs = [mobile.representative, await runInTest(ctx, loadScenario('hotel-wifi')), await runInTest(ctx, loadScenario('satellite'))];
    for (const r of runs) {
      expect(verdict(r)).toMatchObject({ scenario: r.scenario, failedChecks: [] });
      expect(r.impairments?.length).toBeGreaterThan(0);
    }
  });
});
