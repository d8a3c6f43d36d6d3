// Link impairments, measured (docs/impairments.md): what a probe between two lab hosts sees
// against what was configured, then what WebRTC runs report over impaired links.
import { describe, expect, it } from 'vitest';
import { loadScenario, scenarioFromData } from '../../lab/model/scenario.js';
import { backend, runInTest, runRepeatedInTest } from './helpers.js';
import { MEASURED_CASES, freshLabs } from './impair-measure.js';

// On docker too: docker-dynamics.test.ts.
describe.concurrent('link impairments, measured', () => {
  for (const c of MEASURED_CASES) it(c.name, () => c.run(freshLabs(backend)));
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
  // hotel-wifi with 50 ms more each way on the viewer's side: its TURN/TLS allocation (TCP, TLS and
  // two Allocate round trips over that link) ends ~0.45 s after the camera's answer, which carries
  // a=end-of-candidates. werift 0.25.2 alone leaves that relay without pairs and fails every time;
  // peers/lib/werift-late-turn.ts pairs and checks it (docs/werift-0.25.md).
  it('hotel-wifi with a slow viewer link: the relay allocated after the answer is paired and the call relays', async (ctx) => {
    const slow = scenarioFromData(
      {
        name: 'hotel-wifi-slow',
        topology: {
          segments: { internet: { subnet: '203.0.113.0/24' }, lana: { subnet: '192.168.1.0/24' }, lanb: { subnet: '192.168.2.0/24' } },
          routers: {
            nata: { outside: 'internet', inside: 'lana', nat: { preset: 'port-restricted-cone', firewall: { blockUdp: true, allowTcpPorts: [80, 443] } } },
            natb: { outside: 'internet', inside: 'lanb', nat: 'port-restricted-cone' },
          },
          hosts: { a: { segment: 'lana' }, b: { segment: 'lanb' } },
        },
        peers: { camera: { kind: 'pi-camera', host: 'b', profile: 'kvs' }, viewer: { kind: 'viewer', host: 'a' } },
        ice: { turnTransports: ['tls'] },
        impairments: [{ node: 'nata', iface: 'wan0', rateKbps: 2000, queue: 100, delayMs: 50 }],
        timeoutMs: 20_000,
        expect: { outcome: 'relay', viewerOutcome: 'relay', relayProtocol: 'tls' },
      },
      'test/hotel-wifi-slow.yaml',
    );
    const r = await runInTest(ctx, slow);
    expect(verdict(r)).toMatchObject({ scenario: 'hotel-wifi-slow', failedChecks: [] });
    const at = (pred: (e: { event: string; candidate?: unknown }) => boolean) => r.events.viewer.find(pred)?.t;
    const relayAt = at((e) => e.event === 'local-candidate' && / typ relay /.test(String(e.candidate)));
    expect(relayAt).toBeGreaterThan(at((e) => e.event === 'answer-received')!);
    const paired = r.events.viewer.filter((e) => e.event === 'x-late-turn-paired');
    expect(paired).toHaveLength(1);
    expect(paired[0]).toMatchObject({ endOfCandidates: true });
    expect(paired[0].pairs).toBeGreaterThan(0);
  });

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
