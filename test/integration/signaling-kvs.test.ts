// signaling: kvs end to end: the lab's pi-camera (KVS master, official JS SDK) and werift viewer
// (KVS viewer) find each other through the offline KVS emulator by the real AWS names (lab DNS,
// lab CA), and the NAT decides the path as with the lab's own signaling. Bad input against the
// running emulator gets AWS's answers while the run's own session still connects.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../lab/model/scenario.js';
import { projectPath } from '../../lab/util/paths.js';
import { explainRun, labNamespaces, runInTest } from './helpers.js';

const KVS_STEPS = ['x-kvs-describe', 'x-kvs-endpoint', 'x-kvs-connected', 'x-kvs-ice-config'];

describe('signaling: kvs', () => {
  it('symmetric x symmetric relays and full-cone x full-cone connects directly, the wire oracle agreeing', async (ctx) => {
    // One after the other: two labs of WebRTC peers at once are too much for a two-core machine.
    const sym = await runInTest(ctx, loadScenario('kvs-symmetric-nat'));
    const cone = await runInTest(ctx, loadScenario('kvs-full-cone'));
    for (const r of [sym, cone]) {
      expect(r.passed, explainRun(r)).toBe(true);
      for (const peer of ['camera', 'viewer']) expect(r.events[peer].map((e) => e.event)).toEqual(expect.arrayContaining(KVS_STEPS));
      expect(labNamespaces(r.labId!)).toEqual([]);
    }
    expect(sym.outcome).toBe('relay');
    expect(sym.sessions[0].wire?.outcome).toBe('relay');
    expect(cone.outcome).toBe('direct');
    expect(cone.sessions[0].wire?.outcome).toBe('direct');
    // The camera's STUN server is the name the KVS SDKs hard-code, resolved by the lab DNS to coturn.
    const ice = cone.events.camera.find((e) => e.event === 'x-kvs-ice-config') as Record<string, unknown>;
    expect(ice.stun).toBe('stun:stun.kinesisvideo.us-west-2.amazonaws.com:443');
  });

  it('bad input gets the errors AWS gives, and the emulator keeps serving the run', async (ctx) => {
    const scenario = loadScenario('kvs-full-cone');
    let seen: Record<string, any> = {};
    const r = await runInTest(ctx, scenario, undefined, {
      afterServices: async ({ lab, env }) => {
        const kvs = scenario.kvs!;
        const out = await lab.exec('a', [process.execPath, join(projectPath('test', 'fixtures', 'kvs'), 'bad-input.mjs')], {
          check: false,
          timeoutMs: 30_000,
          env: { ...process.env, ...env, KVS_REGION: kvs.region, KVS_KEY: kvs.credentials.accessKeyId, KVS_SECRET: kvs.credentials.secretAccessKey, KVS_CHANNEL: kvs.channels[0] },
        });
        seen = JSON.parse(out.stdout || `{"exec": ${JSON.stringify(out.stderr)}}`);
      },
    });
    expect(seen.unknownChannel, JSON.stringify(seen)).toMatchObject({ status: 404, errorType: 'ResourceNotFoundException', body: { Message: expect.any(String) } });
    expect(seen.wrongSignature).toMatchObject({ status: 403, errorType: 'InvalidSignatureException' });
    expect(seen.expiredDate).toMatchObject({ status: 403, body: { Message: expect.stringMatching(/Signature expired/) } });
    expect(seen.wsWrongSignature).toBe(403);
    expect(seen.wsExpired).toBe(403);
    expect(seen.malformed).toMatchObject({ messageType: 'STATUS_RESPONSE', statusResponse: { success: false, errorType: 'InvalidArgumentException' } });
    expect(seen.unknownRecipient).toMatchObject({ messageType: 'STATUS_RESPONSE', statusResponse: { correlationId: 'probe-1', success: false, statusCode: '400' } });
    expect(seen.afterwards.status).toBe(200);
    expect(seen.deleted).toBe(200);
    // Meanwhile the run's own camera and viewer connected through the same emulator and got video
    // (which pair wins is not the point here: the probe's CPU use can let a relay pair win the race).
    expect(r.sessions[0].failure, explainRun(r)).toBeNull();
    expect(r.sessions[0].firstFrameMs).toBeGreaterThan(0);
  });
});
