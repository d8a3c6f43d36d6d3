// The stack axis, CI-sized: libwebrtc on both ends over the key cells of the five stack presets,
// Chromium and Firefox viewers against the libwebrtc camera on a direct and a relay cell, and
// libwebrtc on the docker backend once. Every run must reach the class RFC 4787 predicts (and a
// session that relays one way on the wire counts as relay). The 10-runs-per-cell soak over all
// 15 cells and every stack pair is `npm run bench -- stacks`.
import { describe, expect, it, type TestContext } from 'vitest';
import { DockerBackend } from '../../lab/backends/docker/docker-backend.js';
import { composeCell } from '../../lab/matrix/compose.js';
import { predictOutcome } from '../../lab/matrix/predict.js';
import { cellScenario, type ViewerStack } from '../../lab/matrix/run-matrix.js';
import { loadScenario, type CameraStack } from '../../lab/model/scenario.js';
import { relayProtocolOf } from '../../lab/model/run-result.js';
import { runInTest } from './helpers.js';

async function cell(ctx: TestContext, viewerNat: string, cameraNat: string, viewer: ViewerStack, camera: CameraStack) {
  const probe = composeCell(viewerNat, cameraNat);
  const predicted = predictOutcome(probe.topology, probe.viewerHost, probe.cameraHost, 'all');
  const r = await runInTest(ctx, cellScenario(viewerNat, cameraNat, { policy: 'all', signaling: 'lab', timeoutMs: 30_000, viewerKind: viewer, cameraStack: camera }, { outcome: predicted }));
  const s = r.sessions[0];
  const where = `${viewer} viewer x ${camera} camera, ${viewerNat} x ${cameraNat}: ${s.outcome}${s.failure ? ` (${s.failure})` : ''}`;
  expect(s.outcome, where).toBe(predicted);
  expect(r.passed, where).toBe(true);
  expect(r.peers.map((p) => p.stack).join(' '), where).toMatch(camera === 'libwebrtc' ? /^libwebrtc / : /^werift /);
  return { r, s, predicted };
}

describe('libwebrtc viewer x libwebrtc camera', () => {
  it.concurrent.for([
    ['full-cone', 'full-cone'],
    ['restricted-cone', 'restricted-cone'],
    ['port-restricted-cone', 'port-restricted-cone'],
    ['port-restricted-cone', 'symmetric'],
    ['symmetric', 'symmetric'],
    ['firewalled', 'firewalled'],
  ] as const)('%s x %s: the predicted class, both ends on libwebrtc', async ([v, c], ctx) => {
    const { s } = await cell(ctx, v, c, 'libwebrtc', 'libwebrtc');
    // Behind the UDP-blocking firewall libwebrtc relays over plain TURN/TCP on 443 (it refuses the lab's TLS certificate).
    if (v === 'firewalled') expect(relayProtocolOf(s.selectedPair.viewer, s.selectedPair.camera)).toBe('tcp');
    // Both ends report the same class as the wire: no asymmetric session.
    expect(s.asymmetric).toBe(false);
    expect(s.wire?.outcome).toBe(s.outcome);
  });
});

describe('browser viewers x libwebrtc camera', () => {
  it.concurrent.for([
    ['chromium', 'port-restricted-cone', 'port-restricted-cone'],
    ['chromium', 'symmetric', 'port-restricted-cone'],
    ['firefox', 'port-restricted-cone', 'port-restricted-cone'],
    ['firefox', 'firewalled', 'firewalled'],
  ] as const)('%s viewer, %s x %s', { timeout: 180_000 }, async ([viewer, v, c], ctx) => {
    const { r, s } = await cell(ctx, v, c, viewer, 'libwebrtc');
    expect(r.peers.find((p) => p.role === 'viewer')!.stack).toMatch(new RegExp(`^${viewer} \\d+`));
    expect(s.asymmetric).toBe(false);
    // Firefox takes the lab's certificate (acceptInsecureCerts) for TURN over TLS by name.
    if (v === 'firewalled') expect(relayProtocolOf(s.selectedPair.viewer, s.selectedPair.camera)).toBe('tls');
  });
});

const docker = new DockerBackend();
const withDocker = (await docker.checkAvailable().then(() => true, () => false)) ? describe : describe.skip;

withDocker('libwebrtc on the docker backend', () => {
  it('connects direct behind two port-restricted cones (the native module loads in the lab image)', async (ctx) => {
    const r = await runInTest(ctx, loadScenario('libwebrtc-port-restricted-cone'), docker);
    expect(r.sessions[0].outcome, r.sessions[0].failure ?? '').toBe('direct');
    expect(r.peers.map((p) => p.stack)).toEqual(['libwebrtc', 'libwebrtc']);
  });
});
