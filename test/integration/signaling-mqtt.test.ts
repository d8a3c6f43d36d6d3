// signaling: mqtt, as pi-webrtc speaks it: the lab's pi-camera and werift viewer over the lab's
// mosquitto, on the NATs where the path is known (relay, direct) and with garbage on the topics.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MatrixResult } from '../../lab/model/matrix-result.js';
import { loadScenario } from '../../lab/model/scenario.js';
import type { RunResult } from '../../lab/model/run-result.js';
import { explainRun as explainText } from '../../lab/report/explain.js';
import { projectPath } from '../../lab/util/paths.js';
import { cli } from './cli.js';
import { explainRun, labNamespaces, runInTest } from './helpers.js';

const eventsOf = (r: RunResult, peer: string, name: string) => (r.events[peer] ?? []).filter((e) => e.event === name);
/** A peer's MQTT signaling steps of one kind (subscribe, publish, receive). */
const mqttSteps = (r: RunResult, peer: string, step: string) => eventsOf(r, peer, 'signaling-step').filter((e) => e.protocol === 'mqtt' && e.step === step);

/** The MQTT steps both peers took: subscriptions with No-Local, then offer/answer on pi-webrtc's topics. */
function expectPiWebrtcTopics(r: RunResult): void {
  const [sub] = mqttSteps(r, 'camera', 'subscribe');
  expect(sub).toMatchObject({ topics: ['camera/offer/+', 'camera/answer/+', 'camera/ice/+'], noLocal: true, qos: [0, 0, 0] });
  expect(mqttSteps(r, 'viewer', 'subscribe')[0]).toMatchObject({ topics: ['camera/answer/viewer', 'camera/ice/viewer'], noLocal: true, qos: [2, 2] });
  expect(mqttSteps(r, 'viewer', 'publish').map((e) => e.topic)).toContain('camera/offer/viewer');
  expect(mqttSteps(r, 'viewer', 'publish').map((e) => e.topic)).toContain('camera/ice/viewer');
  expect(mqttSteps(r, 'camera', 'publish').map((e) => e.topic)).toContain('camera/answer/viewer');
  expect(mqttSteps(r, 'camera', 'receive').map((e) => e.topic)).toContain('camera/offer/viewer');
  expect(mqttSteps(r, 'viewer', 'receive').map((e) => e.topic)).toContain('camera/answer/viewer');
}

describe('signaling: mqtt (pi-webrtc over mosquitto)', () => {
  it('symmetric x symmetric relays; full-cone x full-cone connects directly; the wire agrees', async (ctx) => {
    const [sym, cone] = await Promise.all([runInTest(ctx, loadScenario('mqtt-symmetric-nat')), runInTest(ctx, loadScenario('mqtt-full-cone'))]);
    for (const [r, outcome] of [[sym, 'relay'], [cone, 'direct']] as const) {
      expect(r.outcome, explainRun(r)).toBe(outcome);
      expect(r.expectations.filter((c) => !c.ok), explainRun(r)).toEqual([]);
      expect(r.sessions[0].wire?.outcome, explainRun(r)).toBe(outcome);
      expect(r.sessions[0].firstFrameMs).toBeGreaterThan(0);
      expectPiWebrtcTopics(r);
      // No-Local: neither side ever got its own messages back.
      expect([...eventsOf(r, 'camera', 'warning'), ...eventsOf(r, 'viewer', 'warning')].filter((w) => /MQTT/.test(String(w.message)))).toEqual([]);
      expect(labNamespaces(r.labId!)).toEqual([]);
    }
    expect(Object.values(cone.sessions[0].candidateTypes)).not.toContain('relay');
    // --explain tells the MQTT steps, in time order.
    const told = explainText(cone);
    const subscribed = told.indexOf('the camera connected to the MQTT broker (MQTT v5) and subscribed with No-Local');
    // The viewer may publish before the camera subscribes (both start at once; it publishes again
    // until the camera answers), so the order that must hold is subscribed -> offer received -> answer.
    const offered = told.indexOf('the viewer published its offer on camera/offer/viewer (QoS 2');
    const received = told.indexOf('the camera received the offer on camera/offer/viewer');
    const answered = told.indexOf('the camera published its answer on camera/answer/viewer');
    expect([subscribed, offered, received, answered].every((i) => i > 0) && subscribed < received && offered < received && received < answered, told).toBe(true);
    expect(told).toMatch(/the viewer published a candidate on camera\/ice\/viewer \(QoS 2, .*\)(; \d+ of them, the first at this time)?$/m);
  });

  it('payloads that are not JSON (or not pi-webrtc messages) are warned about and skipped; the call connects', async (ctx) => {
    let garbage: { published: number; sawAnswer: boolean } | null = null;
    // The call is held 3 s after its first frame: the garbage must reach peers that still read their
    // topics (a whole run takes under 2 s here, less than the publisher needs to start and publish).
    const r = await runInTest(ctx, { ...loadScenario('mqtt-full-cone'), holdMs: 3000 }, undefined, {
      afterServices: async ({ lab, plan }) => {
        // Not awaited: it publishes until the camera's answer went by, while the peers signal.
        void lab.exec('a', [process.execPath, projectPath('test', 'fixtures', 'mqtt-garbage.mjs'), plan.mqtt!.tcp, 'camera', 'viewer'], { timeoutMs: 15_000 }).then(
          (out) => (garbage = JSON.parse(out.stdout)),
          () => {}, // still publishing when the run ended: the teardown stopped it
        );
      },
    });
    expect(r.outcome, explainRun(r)).toBe('direct');
    expect(r.expectations.filter((c) => !c.ok), explainRun(r)).toEqual([]);
    const warned = (peer: string) => eventsOf(r, peer, 'warning').map((e) => String(e.message));
    // The camera reads its offer/ice/answer topics of every client, the viewer its own answer and ice.
    expect(warned('camera')).toContainEqual(expect.stringMatching(/^MQTT camera\/offer\/intruder: not JSON/));
    expect(warned('camera')).toContainEqual(expect.stringMatching(/^MQTT camera\/offer\/viewer: an offer without an "sdp" string/));
    expect(warned('viewer')).toContainEqual(expect.stringMatching(/^MQTT camera\/answer\/viewer: (not JSON|not a JSON object|a message on an answer topic)/));
    expect(warned('viewer')).toContainEqual(expect.stringMatching(/^MQTT camera\/ice\/viewer: /));
    // The publisher may still be finishing when the run ends; when it did, it saw the answer go by.
    if (garbage) expect(garbage).toMatchObject({ sawAnswer: true });
  });

  it('the Chromium viewer speaks it over the broker\'s WebSocket listener: full-cone x full-cone connects directly', async (ctx) => {
    const r = await runInTest(ctx, loadScenario('chromium-mqtt-full-cone'));
    expect(r.outcome, explainRun(r)).toBe('direct');
    expect(r.sessions[0].wire?.outcome, explainRun(r)).toBe('direct');
    expect(r.peers.find((p) => p.name === 'viewer')?.stack).toMatch(/^chromium /);
    expectPiWebrtcTopics(r);
  });

  it('matrix --signaling mqtt: every cell signals over the broker, direct and relay as RFC 4787 predicts', async () => {
    // Shard 1/2 of full-cone,symmetric: the two diagonal cells, one direct and one relay.
    const reports = mkdtempSync(join(tmpdir(), 'lab-matrix-mqtt-'));
    const out = await cli(['matrix', '--json', '--nats', 'full-cone,symmetric', '--shard', '1/2', '--workers', '2', '--signaling', 'mqtt'], { WEBRTC_LAB_REPORTS_DIR: reports });
    const m = JSON.parse(out.stdout) as MatrixResult;
    expect(out.code, out.stderr).toBe(0);
    expect(m.signaling).toBe('mqtt');
    expect(Object.fromEntries(m.cells.map((c) => [c.id, [c.predicted, c.outcome]]))).toEqual({ 'full-cone__full-cone': ['direct', 'direct'], 'symmetric__symmetric': ['relay', 'relay'] });
    // The summary a person reads names it too.
    expect(readFileSync(join(reports, m.runId, 'summary.txt'), 'utf8')).toContain(', signaling mqtt');
  });

  it('matrix --signaling refuses, before building anything, a signaling the cells\' peers cannot speak (exit 2)', async () => {
    // The Firefox viewer does not speak KVS (the Chromium viewer does).
    const out = await cli(['matrix', '--nats', 'full-cone', '--viewer', 'firefox', '--signaling', 'kvs']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/^error: matrix --signaling kvs --viewer firefox: peers\.viewer: a firefox-viewer peer does not speak signaling: kvs/m);
  });
});
