import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventSchema } from '../contract/events.js';
import type { RunResult } from '../model/run-result.js';
import { projectPath } from '../util/paths.js';
import { explainRun } from './explain.js';
import { signalingSteps } from './signaling-steps.js';
import { runSummary } from './terminal.js';
import { runHtml } from './html.js';

/** A real run (the lab's own signaling), with the given signaling-step events added to its peers. */
function withSteps(signaling: RunResult['signaling'], steps: Record<string, Record<string, unknown>[]>): RunResult {
  const r = JSON.parse(readFileSync(projectPath('test', 'fixtures', 'results', 'run-symmetric-nat.json'), 'utf8')) as RunResult;
  const offerT = r.events.viewer.find((e) => e.event === 'offer-sent')!.t;
  const events = { ...r.events };
  for (const [peer, list] of Object.entries(steps)) {
    const added = list.map((e) => ({ event: 'signaling-step', ...e, t: offerT + Number(e.t) }));
    for (const e of added) expect(eventSchema('signaling-step').safeParse(e).error?.issues ?? []).toEqual([]);
    events[peer] = [...events[peer], ...added].sort((a, b) => a.t - b.t);
  }
  return { ...r, signaling, events };
}

const section2 = (text: string) => text.slice(text.indexOf('2. Signaling and ICE servers'), text.indexOf('3. The offer'));

describe('signaling steps in --explain and the timeline', () => {
  const mqtt = withSteps('mqtt', {
    camera: [
      { t: -700, protocol: 'mqtt', step: 'subscribe', detail: 'subscribed with No-Local to camera/offer/+ (granted QoS 0)' },
      { t: 200, protocol: 'mqtt', step: 'receive', session: 'viewer', detail: 'received the offer on camera/offer/viewer' },
      { t: 1200, protocol: 'mqtt', step: 'publish', session: 'viewer', detail: 'published its answer on camera/answer/viewer (QoS 2)' },
      // Another viewer's step: not this session's.
      { t: 300, protocol: 'mqtt', step: 'receive', session: 'other', detail: 'received the offer on camera/offer/other' },
    ],
    viewer: [
      { t: -0.5, protocol: 'mqtt', step: 'publish', detail: 'published its offer on camera/offer/viewer (QoS 2)' },
      { t: 100, protocol: 'mqtt', step: 'publish', series: true, detail: 'published a candidate on camera/ice/viewer (QoS 2)' },
      { t: 110, protocol: 'mqtt', step: 'publish', series: true, detail: 'published a candidate on camera/ice/viewer (QoS 2)' },
      { t: 120, protocol: 'mqtt', step: 'publish', series: true, detail: 'published a candidate on camera/ice/viewer (QoS 2)' },
    ],
  });

  it('tells the session\'s steps of both sides in time order, a series of candidates as one counted line', () => {
    const told = section2(explainRun(mqtt));
    const order = [
      '-700.0 ms  the camera subscribed with No-Local to camera/offer/+ (granted QoS 0)',
      '-0.5 ms  the viewer published its offer on camera/offer/viewer (QoS 2)',
      '100.0 ms  the viewer published a candidate on camera/ice/viewer (QoS 2); 3 of them, the first at this time',
      '200.0 ms  the camera received the offer on camera/offer/viewer',
      '1200.0 ms  the camera published its answer on camera/answer/viewer (QoS 2)',
    ].map((line) => told.indexOf(line));
    expect(order.every((i) => i >= 0), told).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(told).toMatch(/^MQTT \(as pi-webrtc speaks it\)/m);
    expect(told).toContain('the camera received the offer through the MQTT broker');
    expect(told).not.toContain('camera/offer/other');
    // Not the lab's WebSocket: that line is for the lab's own protocol only.
    expect(told).not.toContain('opened its WebSocket to the signaling server');
  });

  it('the run summary lists the same steps under the timeline, with the signaling named', () => {
    const text = runSummary(mqtt);
    expect(text).toContain(', signaling mqtt, run ');
    const block = text.slice(text.indexOf('  mqtt steps:'));
    expect(block.split('\n').slice(1, 6)).toEqual([
      '    -700.0 ms  the camera subscribed with No-Local to camera/offer/+ (granted QoS 0)',
      '      -0.5 ms  the viewer published its offer on camera/offer/viewer (QoS 2)',
      '     100.0 ms  the viewer published a candidate on camera/ice/viewer (QoS 2); 3 of them, the first at this time',
      '     200.0 ms  the camera received the offer on camera/offer/viewer',
      '    1200.0 ms  the camera published its answer on camera/answer/viewer (QoS 2)',
    ]);
  });

  it('the HTML report of the run has them as a table, the signaling named', () => {
    const html = runHtml(mqtt);
    expect(html).toContain('signaling mqtt;');
    expect(html).toContain('<h3>Signaling steps (mqtt)</h3>');
    expect(html).toContain('<td>-700.0 ms</td><td>camera</td><td>subscribe</td>');
    expect(html).toContain('3 of them, the first at this time');
  });

  it('WHEP requests, and a protocol the report has never heard of (kvs from another peer), are told from their detail alone', () => {
    const r = withSteps('whep', {
      viewer: [
        { t: 0, protocol: 'whep', step: 'POST', status: 201, detail: 'POST /whep, Content-Type application/sdp (the offer) -> 201, Location /resource/ab12' },
        { t: 50, protocol: 'whep', step: 'PATCH', status: 204, series: true, detail: 'PATCH /resource/ab12 (1 candidate(s)) -> 204' },
        { t: 60, protocol: 'whep', step: 'PATCH', status: 204, series: true, detail: 'PATCH /resource/ab12 (1 candidate(s)) -> 204' },
        { t: 70, protocol: 'whep', step: 'PATCH', status: 204, detail: 'PATCH /resource/ab12 (end-of-candidates) -> 204' },
        { t: 900, protocol: 'whep', step: 'DELETE', status: 202, detail: 'DELETE /resource/ab12 (the viewer hangs up) -> 202' },
      ],
      camera: [{ t: -400, protocol: 'carrier-pigeon', step: 'listen', detail: 'waits on the roof' }],
    });
    const told = section2(explainRun(r));
    expect(told).toContain('WHEP (as pi-webrtc serves it)');
    expect(told).toContain('carrier-pigeon: the peers\' own signaling steps follow.');
    expect(told).toContain('-400.0 ms  the camera waits on the roof');
    expect(told).toContain('0.0 ms  the viewer POST /whep, Content-Type application/sdp (the offer) -> 201, Location /resource/ab12');
    expect(told).toContain('50.0 ms  the viewer PATCH /resource/ab12 (1 candidate(s)) -> 204; 2 of them, the first at this time');
    expect(told).toContain('70.0 ms  the viewer PATCH /resource/ab12 (end-of-candidates) -> 204');
    expect(told).toContain('900.0 ms  the viewer DELETE /resource/ab12 (the viewer hangs up) -> 202');
  });

  it('a run of the lab\'s own protocol has no steps and keeps its WebSocket line', () => {
    const r = withSteps(undefined, {});
    expect(signalingSteps(r, 'viewer', 'camera')).toEqual([]);
    expect(section2(explainRun(r))).toContain('the viewer opened its WebSocket to the signaling server');
    expect(runSummary(r)).not.toContain(' steps:');
    expect(runSummary(r)).toContain(', signaling lab, run ');
  });
});
