// Networks that change and misbehave, on the Docker backend (docs/impairments.md,
// docs/network-events.md): the same measured impairment cases as netns (impair-measure.ts) and
// network events during a held call. Skips without a Docker daemon, unless
// WEBRTC_LAB_REQUIRE_DOCKER=1 (then a missing daemon fails), as docker.test.ts does.
// One daemon holds one lab of an address plan at a time: everything here runs one after another.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedLab } from '../../lab/backends/backend.js';
import { DockerBackend } from '../../lab/backends/docker/docker-backend.js';
import { loadScenario, scenarioFromData } from '../../lab/model/scenario.js';
import type { RunResult } from '../../lab/model/run-result.js';
import { explainRun, runHeld } from './helpers.js';
import { PROBE_TOPOLOGY } from '../../lab/network/impair/probe-lab.js';
import { MEASURED_CASES, sharedLab } from './impair-measure.js';

const docker = new DockerBackend();
const available = await docker.checkAvailable().then(() => true, () => false);
if (!available && process.env.WEBRTC_LAB_REQUIRE_DOCKER === '1') throw new Error('WEBRTC_LAB_REQUIRE_DOCKER=1 but no Docker daemon answers');
const withDocker = available ? describe : describe.skip;

const call = (r: RunResult) => r.sessions[0].call!;
const story = (r: RunResult) => `${explainRun(r)}\n${JSON.stringify({ events: call(r)?.events, outages: call(r)?.outages, impairments: r.impairments })}\n${(call(r)?.timeline ?? []).map((t) => `${t.tMs} ${t.source} ${t.what}`).join('\n')}`;

// One lab for the three cases: each takes its impairments off again (and checks no rule is left).
withDocker('link impairments on docker, measured', () => {
  let lab: StartedLab | null = null;
  beforeAll(async () => void (lab = await docker.up(PROBE_TOPOLOGY)), 120_000);
  afterAll(() => lab?.down());
  for (const c of MEASURED_CASES) it(c.name, () => c.run(sharedLab(() => lab!)));
});

withDocker('network events on docker', () => {
  it('nat-rebinding: the router container maps the viewer to new ports; the call recovers with recoveryMs reported', { timeout: 180_000 }, async (ctx) => {
    const r = await runHeld(ctx, loadScenario('nat-rebinding'), docker);
    expect(r.backend).toBe('docker');
    expect(r.expectations.filter((c) => !c.ok), story(r)).toEqual([]);
    const [e] = call(r).events;
    expect(e.detail, story(r)).toMatch(/conntrack zone 1/);
    expect(e.recoveryMs, story(r)).toBeGreaterThan(0);
    expect(call(r).outages[e.outage!].cause).toBe('rebind nata');
    // The far side saw the viewer come from another public port after the rebinding.
    const before = r.sessions[0].selectedPair.camera!.remote;
    const after = [...r.events.camera].reverse().find((x) => x.event === 'selected-pair')!.pair as { remote: { address: string; port: number } };
    expect(`${after.remote.address}:${after.remote.port}`, story(r)).not.toBe(`${before.address}:${before.port}`);
    console.log(`docker nat-rebinding: recoveryMs ${e.recoveryMs}, outage ${JSON.stringify(call(r).outages[e.outage!])}`);
  });

  // The other events in one held call on the wifi-to-lte topology, spaced so each recovery is over
  // before the next begins, the handover last, over an impaired link (one lab instead of three:
  // docker labs are slow to build, and one daemon holds one lab of an address plan at a time).
  it('over 100 ms each way on one side (ICE RTT >= 200 ms): block, linkDown, stop/start signaling and turn, then the wifi-to-lte handover, each taking effect in the containers and the call coming back after each', { timeout: 180_000 }, async (ctx) => {
    const scenario = scenarioFromData(
      {
        name: 'docker-events',
        topology: 'wifi-to-lte',
        peers: { camera: { kind: 'pi-camera', host: 'b', profile: 'kvs' }, viewer: { kind: 'viewer', host: 'a' } },
        // 100 ms each way on the camera's side, which every path crosses before and after the handover.
        impairments: [{ node: 'natb', iface: 'wan0', delayMs: 100 }],
        holdMs: 17_000,
        events: [
          { atMs: 1000, block: { node: 'nata', udp: true, forMs: 1000 } },
          { atMs: 4000, linkDown: { node: 'natb', iface: 'wan0', forMs: 1000 } },
          { atMs: 7000, stop: 'signaling' },
          { atMs: 7500, stop: 'turn' },
          { atMs: 8000, start: 'turn' },
          { atMs: 8500, start: 'signaling' },
          { atMs: 9000, handover: { host: 'a', to: 'lanc' } },
        ],
        expect: { outcome: 'connected', afterEvents: 'connected', recovery: { maxMs: 8000 } },
      },
      'test/integration/docker-dynamics.test.ts',
    );
    const r = await runHeld(ctx, scenario, docker);
    expect(r.expectations.filter((c) => !c.ok), story(r)).toEqual([]);
    // The impairment in a WebRTC run on docker: the ICE RTT shows both directions' delay.
    expect(r.impairments?.map((i) => `${i.node}.${i.iface}.${i.direction}:${i.delayMs}:${i.method}`)).toEqual(['natb.wan0.out:100:nfqueue', 'natb.wan0.in:100:nfqueue']);
    expect(r.selectedPair.viewer?.rttMs, story(r)).toBeGreaterThanOrEqual(200);
    const events = call(r).events;
    expect(events.map((e) => [e.label, e.appliedMs !== null, e.error ?? null]), story(r)).toEqual(events.map((e) => [e.label, true, null]));
    const [block, linkDown] = events;
    const handover = events.at(-1)!;
    // Each of these cuts the media path: an outage of its own, which the call recovered from.
    for (const e of [block, linkDown, handover]) {
      expect(e.outage, story(r)).not.toBe(null);
      expect(call(r).outages[e.outage!].cause, story(r)).toBe(e.label);
      expect(e.recoveryMs, story(r)).not.toBe(null);
    }
    for (const e of [block, linkDown]) expect(e.restoredMs, story(r)).not.toBe(null);
    // The handover: a new interface on lanc, and the viewer sends from there afterwards.
    expect(handover.detail, story(r)).toMatch(/^a is 100\.64\.10\.\d+ on lanc \(eth1\)/);
    expect(handover.recoveryMs, story(r)).toBeGreaterThan(0);
    expect(handover.pairAfter!.local.address, story(r)).toMatch(/^100\.64\.10\./);
    console.log(`docker events: ICE RTT ${r.selectedPair.viewer?.rttMs} ms; ${events.map((e) => `${e.label} recoveryMs ${e.recoveryMs}`).join(', ')}; ${handover.detail}`);
  });
});
