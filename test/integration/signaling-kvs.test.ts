// signaling: kvs end to end: the lab's pi-camera (KVS master, official JS SDK) and werift viewer
// (KVS viewer) find each other through the offline KVS emulator by the real AWS names (lab DNS,
// lab CA), and the NAT decides the path as with the lab's own signaling. Bad input against the
// running emulator gets AWS's answers while a run's own session still connects. The Chromium
// viewer signals as the KVS browser samples do. A master and a viewer built only from the
// official SDKs (examples/kvs-app) run as black-box app peers.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../lab/model/scenario.js';
import type { RunResult } from '../../lab/model/run-result.js';
import { explainRun as explainText } from '../../lab/report/explain.js';
import { wireLines } from '../../lab/report/wire-lines.js';
import { projectPath } from '../../lab/util/paths.js';
import type { RunOptions } from '../../lab/run/run-scenario.js';
import { explainRun, labNamespaces, runInTest } from './helpers.js';

/** Each side's KVS calls, in the order the samples make them. */
const KVS_STEPS = ['DescribeSignalingChannel', 'GetSignalingChannelEndpoint', 'ConnectAs', 'GetIceServerConfig'];
const kvsSteps = (events: { event: string; protocol?: unknown; step?: unknown }[]) =>
  events.filter((e) => e.event === 'signaling-step' && e.protocol === 'kvs').map((e) => String(e.step).replace(/^ConnectAs(Master|Viewer)$/, 'ConnectAs'));
const kvsStep = (events: { event: string; step?: unknown }[], step: string) => events.find((e) => e.event === 'signaling-step' && e.step === step) as Record<string, unknown> | undefined;

describe('signaling: kvs', () => {
  it('symmetric x symmetric relays and full-cone x full-cone connects directly, the wire oracle agreeing; bad input meanwhile gets the errors AWS gives', async (ctx) => {
    // The bad-input probe runs during the symmetric run: the emulator must keep serving that run
    // (and its CPU use cannot change a symmetric pair's outcome, unlike a full-cone race).
    const symmetric = loadScenario('kvs-symmetric-nat');
    let seen: Record<string, any> = {};
    const probe: RunOptions['afterServices'] = async ({ lab, env }) => {
      const kvs = symmetric.kvs!;
      const out = await lab.exec('a', [process.execPath, join(projectPath('test', 'fixtures', 'kvs'), 'bad-input.mjs')], {
        check: false,
        timeoutMs: 30_000,
        env: { ...process.env, ...env, KVS_REGION: kvs.region, KVS_KEY: kvs.credentials.accessKeyId, KVS_SECRET: kvs.credentials.secretAccessKey, KVS_CHANNEL: kvs.channels[0] },
      });
      seen = JSON.parse(out.stdout || `{"exec": ${JSON.stringify(out.stderr)}}`);
    };
    // One after the other: two labs of werift peers at once on a loaded two-core machine time out in
    // DTLS (seen here at load 20), and one at a time takes no longer (the runs are CPU-bound).
    const sym = await runInTest(ctx, symmetric, undefined, { afterServices: probe });
    const cone = await runInTest(ctx, loadScenario('kvs-full-cone'));
    for (const [r, outcome] of [[sym, 'relay'], [cone, 'direct']] as const) {
      expect(r.outcome, explainRun(r)).toBe(outcome);
      expect(r.expectations.filter((c) => !c.ok), explainRun(r)).toEqual([]);
      // What scenarios.test.ts and wire.test.ts check on every other shipped scenario.
      expect(r.wire).toMatchObject({ captured: true, dropped: 0 });
      expect(r.sessions[0].wire?.outcome, explainRun(r)).toBe(outcome);
      expect(r.sessions[0].wire?.directions.every((d) => d.path?.kind === outcome)).toBe(true);
      expect(r.sessions[0].timeline.offerSent).toBe(0);
      expect(r.sessions[0].firstFrameMs).toBeGreaterThan(0);
      expect(r.sessions[0].setupMs).toBeGreaterThan(r.sessions[0].timeline.iceConnected!);
      // Both sides' KVS calls, in the order the samples make them.
      for (const peer of ['camera', 'viewer']) expect(kvsSteps(r.events[peer] as never), peer).toEqual(KVS_STEPS);
      expect(labNamespaces(r.labId!)).toEqual([]);
    }
    expect(Object.values(cone.sessions[0].candidateTypes)).not.toContain('relay');
    // The STUN server is the name the KVS SDKs hard-code, resolved by the lab DNS to coturn (UDP 443).
    const ice = kvsStep(cone.events.camera as never, 'GetIceServerConfig')!;
    expect(ice).toMatchObject({ session: 'viewer', stun: 'stun:stun.kinesisvideo.us-west-2.amazonaws.com:443', stunAddress: cone.network.services.addresses[0] });
    // Endpoints without a port (the C SDK refuses one), and --explain tells the flow.
    expect(kvsStep(cone.events.viewer as never, 'GetSignalingChannelEndpoint')).toMatchObject({ wss: expect.stringMatching(/^wss:\/\/[a-z0-9-]+\.kinesisvideo\.us-west-2\.amazonaws\.com$/), https: expect.stringMatching(/^https:\/\/[^:]+$/) });
    const told = explainText(cone);
    const order = ['the viewer called DescribeSignalingChannel lab-camera', 'the viewer called GetSignalingChannelEndpoint (VIEWER)', "the viewer opened the channel's WebSocket", 'the viewer called GetIceServerConfig'].map((s) => told.indexOf(s));
    expect(order.every((i, n) => i > 0 && (n === 0 || i > order[n - 1])), told).toBe(true);
    expect(told).toContain('the camera received the offer through the KVS signaling channel');

    // Bad input, from a lab host by the real names: AWS's answers, and the service's own messages on demand.
    expect(seen.unknownChannel, JSON.stringify(seen)).toMatchObject({ status: 404, errorType: 'ResourceNotFoundException', body: { Message: expect.any(String) } });
    expect(seen.wrongSignature).toMatchObject({ status: 403, errorType: 'InvalidSignatureException' });
    expect(seen.expiredDate).toMatchObject({ status: 403, body: { Message: expect.stringMatching(/Signature expired/) } });
    expect(seen.wsWrongSignature).toBe(403);
    expect(seen.wsExpired).toBe(403);
    expect(seen.malformed).toMatchObject({ messageType: 'STATUS_RESPONSE', statusResponse: { success: false, errorType: 'InvalidArgumentException' } });
    expect(seen.unknownRecipient).toMatchObject({ messageType: 'STATUS_RESPONSE', statusResponse: { correlationId: 'probe-1', success: false, statusCode: '400' } });
    expect(seen.reconnectSent).toEqual({ Delivered: ['MASTER'] });
    expect(seen.goAwaySent).toEqual({ Delivered: ['MASTER'] });
    expect(seen.serviceMessages).toEqual(['RECONNECT_ICE_SERVER', 'GO_AWAY']);
    expect(seen.goAwayClose).toBe(1001);
    expect(seen.afterwards.status).toBe(200);
    expect(seen.deleted).toBe(200);
  });

  it('the Chromium viewer, as the KVS browser samples (AWS SDK and the official SDK\'s browser build in the page, CORS): symmetric x symmetric relays, full-cone x full-cone is direct, the wire oracle agreeing', async (ctx) => {
    const sym = await runInTest(ctx, loadScenario('kvs-chromium-symmetric-nat'));
    const cone = await runInTest(ctx, loadScenario('kvs-chromium-full-cone'));
    for (const [r, outcome] of [[sym, 'relay'], [cone, 'direct']] as const) {
      expect(r.peers.find((p) => p.name === 'viewer')?.stack, explainRun(r)).toMatch(/^chromium /);
      expect(r.outcome, explainRun(r)).toBe(outcome);
      expect(r.expectations.filter((c) => !c.ok), explainRun(r)).toEqual([]);
      expect(r.wire).toMatchObject({ captured: true, dropped: 0 });
      expect(r.sessions[0].wire?.outcome, explainRun(r)).toBe(outcome);
      expect(r.sessions[0].wire?.directions.every((d) => d.path?.kind === outcome)).toBe(true);
      expect(r.sessions[0].firstFrameMs).toBeGreaterThan(0);
      // The page's own calls, in the samples' order, as the werift viewer's.
      for (const peer of ['camera', 'viewer']) expect(kvsSteps(r.events[peer] as never), peer).toEqual(KVS_STEPS);
      expect(kvsStep(r.events.viewer as never, 'DescribeSignalingChannel')?.detail).toMatch(/AWS SDK in the page/);
      expect(labNamespaces(r.labId!)).toEqual([]);
    }
    // The browser was handed STUN by the SDKs' hard-coded name (it resolves it through the lab DNS).
    expect(kvsStep(cone.events.viewer as never, 'GetIceServerConfig')).toMatchObject({ stun: 'stun:stun.kinesisvideo.us-west-2.amazonaws.com:443', uris: expect.arrayContaining([expect.stringMatching(/^turn:/)]) });
    expect(Object.values(cone.sessions[0].candidateTypes)).not.toContain('relay');
    // --explain tells the page's calls in the samples' order, as the werift viewer's.
    const told = explainText(cone);
    const order = ['the viewer called DescribeSignalingChannel lab-camera', 'the viewer called GetSignalingChannelEndpoint (VIEWER)', "the viewer opened the channel's WebSocket", 'the viewer called GetIceServerConfig'].map((s) => told.indexOf(s));
    expect(order.every((i, n) => i > 0 && (n === 0 || i > order[n - 1])), told).toBe(true);
  });

  it('examples/kvs-app: a master and a viewer built only from the official SDKs, as black-box app peers: symmetric relays, full-cone is direct, by the wire', async (ctx) => {
    const dir = projectPath('examples', 'kvs-app');
    const sym = await runInTest(ctx, loadScenario(join(dir, 'symmetric.yaml')));
    const cone = await runInTest(ctx, loadScenario(join(dir, 'full-cone.yaml')));
    for (const [r, want] of [[sym, 'relay'], [cone, 'direct']] as [RunResult, string][]) {
      for (const p of r.peers) expect([p.kind, p.app?.failure, p.app?.doneBy], `${p.name}: ${p.app?.stdout.join('\n')}\n${p.app?.stderr.join('\n')}`).toEqual(['app', null, 'exit']);
      expect(r.wire.captured).toBe(true);
      const told = [...wireLines(r.sessions[0], r), ...r.peers.flatMap((p) => [...(p.app?.stdout ?? []), ...(p.app?.stderr ?? []).filter((l) => !/NodeVersionSupportWarning|node >=22|^$/.test(l))])].join('\n');
      expect(r.sessions[0].wire?.outcome, told).toBe(want);
      expect(r.sessions[0].wire?.directions.every((d) => d.path?.kind === want && d.sctp.packets > 0)).toBe(true);
      // The apps reached the emulator by the real names, and the viewer got all its answers.
      const viewer = r.peers.find((p) => p.name === 'viewer')!.app!.stdout;
      expect(viewer).toContainEqual(expect.stringMatching(/^\[viewer\] endpoints wss:\/\/\S+\.kinesisvideo\.us-west-2\.amazonaws\.com https:/));
      expect(viewer).toContain('[viewer] done (5 pongs)');
      expect(labNamespaces(r.labId!)).toEqual([]);
    }
  });
});
