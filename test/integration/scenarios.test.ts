// Every shipped scenario runs end to end (real namespaces, coturn, werift) and meets its expectations
// (the Chromium viewer over MQTT and WHEP: in signaling-mqtt.test.ts and signaling-whep.test.ts).
import { describe, expect, it } from 'vitest';
import { listScenarios, loadScenario, scenarioFromData } from '../../lab/model/scenario.js';
import { explainRun, labNamespaces, runInTest, runRepeatedInTest } from './helpers.js';

/** Shipped scenarios another file runs end to end with more checks (the time budget of `npm test`): the
 * Chromium signaling scenarios, and every signaling: kvs one (signaling-kvs.test.ts, with the wire's checks). */
const RUN_ELSEWHERE = new Set(['chromium-mqtt-full-cone', 'chromium-whep-full-cone']);
// Scenarios on impaired links run in impairments.test.ts.
const shipped = listScenarios().filter((name) => !RUN_ELSEWHERE.has(name) && loadScenario(name).signaling !== 'kvs' && !loadScenario(name).impairments?.length);

describe('shipped scenarios', () => {
  // Scenarios with network events hold their call for seconds: events.test.ts runs them, at once.
  for (const name of shipped.filter((n) => !loadScenario(n).events)) {
    it(name, async (ctx) => {
      // Ten viewers at once: on two cores werift's DTLS sometimes times out for one of them (the
      // soak benchmark measures how often); one retry is allowed here, and printed when used.
      const retries = name === 'multi-viewer' ? 1 : 0;
      const repeated = await runRepeatedInTest(ctx, loadScenario(name), { repeat: 1, retries, minPassRate: 1 });
      for (const a of repeated.attempts.filter((x) => !x.passed)) console.log(`${name}: attempt ${a.attempt} failed, retried: ${a.failure}`);
      const result = repeated.representative;
      const failed = result.expectations.filter((c) => !c.ok);
      expect(failed, explainRun(result)).toEqual([]);
      expect(result.passed).toBe(true);
      for (const s of result.sessions) {
        expect(s.timeline.offerSent).toBe(0);
        expect(s.firstFrameMs).toBeGreaterThan(0);
        expect(s.setupMs).toBeGreaterThan(s.timeline.iceConnected!);
      }
      expect(labNamespaces(result.labId!)).toEqual([]);
    });
  }

  it('symmetric-nat selects a relay pair; full-cone connects without relay', async (ctx) => {
    const [sym, cone] = await Promise.all([runInTest(ctx, loadScenario('symmetric-nat')), runInTest(ctx, loadScenario('full-cone'))]);
    expect(sym.outcome).toBe('relay');
    expect([sym.sessions[0].candidateTypes.viewer, sym.sessions[0].candidateTypes.camera]).toContain('relay');
    expect(cone.outcome).toBe('direct');
    expect(Object.values(cone.sessions[0].candidateTypes)).not.toContain('relay');
  });

  it('firewalled connects only through TURN over TLS', async (ctx) => {
    const r = await runInTest(ctx, loadScenario('firewalled'));
    expect(r.outcome).toBe('relay');
    const s = r.sessions[0];
    expect(s.candidateTypes).toEqual({ viewer: 'relay', camera: 'relay' });
    expect(s.selectedPair.viewer!.local.relayProtocol).toBe('tls');
    expect(s.selectedPair.camera!.local.relayProtocol).toBe('tls');
    // No UDP host or server-reflexive path was possible: every gathered srflx attempt failed.
    expect(s.candidates.viewer.some((c) => / typ srflx /.test(c))).toBe(false);
    // Both stopped waiting for the STUN answer the firewall drops once TURN/TLS was allocated
    // (peers/lib/werift-stun-wait.ts), after werift's three sends, before its own 0.5 s.
    for (const peer of ['camera', 'viewer']) {
      const cuts = r.events[peer].filter((e) => e.event === 'x-stun-wait-cut');
      expect(cuts, peer).toHaveLength(1);
      // Three sends at least (werift's at 0, 50 and 150 ms); a slow TLS allocation may see the 350 ms one too.
      expect(cuts[0]).toMatchObject({ turnTransport: 'tls' });
      expect(Math.min(...(cuts[0].stunSends as number[]))).toBeGreaterThanOrEqual(3);
      expect(cuts[0].waitedMs as number).toBeLessThan(500);
      expect(r.events[peer].some((e) => e.event === 'x-stun-wait-late-answer'), peer).toBe(false);
    }
  });

  it('port-restricted-cone with TURN over TLS only: UDP works, so the srflx is gathered, nothing is cut, and the pair is direct', async (ctx) => {
    const scenario = scenarioFromData(
      {
        name: 'port-restricted-cone-tls-turn',
        description: 'port-restricted-cone with TURN over TLS only: STUN over UDP answers, the wait is never cut',
        topology: 'port-restricted-cone',
        peers: { camera: { kind: 'pi-camera', host: 'b', profile: 'kvs' }, viewer: { kind: 'viewer', host: 'a' } },
        ice: { turnTransports: ['tls'] },
        expect: { outcome: 'direct' },
      },
      'test/integration/scenarios.test.ts',
    );
    const r = await runInTest(ctx, scenario);
    expect(r.outcome, explainRun(r)).toBe('direct');
    const s = r.sessions[0];
    for (const peer of ['camera', 'viewer'] as const) {
      expect(s.candidates[peer].some((c) => / typ srflx /.test(c)), peer).toBe(true);
      expect(s.candidates[peer].some((c) => / typ relay /.test(c)), peer).toBe(true);
      expect(r.events[peer].some((e) => e.event.startsWith('x-stun-wait')), peer).toBe(false);
    }
  });
});
