// The stack axis, CI-sized: libwebrtc on both ends over the key cells of the five stack presets,
// Chromium and Firefox viewers against the libwebrtc camera on a direct and a relay cell, and
// libwebrtc on the docker backend (a direct and a relay cell in one lab). Every run must reach the
// class RFC 4787 predicts (and a session that relays one way on the wire counts as relay). The 10-runs-per-cell soak over all
// 15 cells and every stack pair is `npm run bench -- stacks`.
import { describe, expect, it, type TestContext } from 'vitest';
import { DockerBackend } from '../../lab/backends/docker/docker-backend.js';
import { composeCell } from '../../lab/matrix/compose.js';
import { predictOutcome } from '../../lab/matrix/predict.js';
import { cellScenario, type ViewerStack } from '../../lab/matrix/run-matrix.js';
import { scenarioFromData, type CameraStack } from '../../lab/model/scenario.js';
import { relayProtocolOf, type PairView } from '../../lab/model/run-result.js';
import { explainRun, runInTest } from './helpers.js';

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

/**
 * One libwebrtc camera and two libwebrtc viewers in one docker lab: viewer `a` behind a
 * port-restricted cone like the camera (RFC 4787: direct), viewer `c` behind the UDP-blocking
 * firewall (relay, over TURN/TCP on 443). One bring-up gives a direct- and a relay-predicted cell.
 */
const dockerCells = () =>
  scenarioFromData(
    {
      name: 'libwebrtc-docker-cells',
      topology: {
        name: 'libwebrtc-docker-cells',
        segments: { internet: { subnet: '203.0.113.0/24' }, lancam: { subnet: '192.168.100.0/24' }, lana: { subnet: '10.0.1.0/24' }, lanc: { subnet: '10.0.3.0/24' } },
        routers: {
          natcam: { outside: 'internet', inside: 'lancam', nat: 'port-restricted-cone' },
          nata: { outside: 'internet', inside: 'lana', nat: 'port-restricted-cone' },
          natc: { outside: 'internet', inside: 'lanc', nat: 'firewalled' },
        },
        hosts: { cam: { segment: 'lancam' }, a: { segment: 'lana' }, c: { segment: 'lanc' } },
      },
      peers: {
        camera: { kind: 'pi-camera', stack: 'libwebrtc', host: 'cam', profile: 'pi' },
        a: { kind: 'libwebrtc-viewer', host: 'a' },
        c: { kind: 'libwebrtc-viewer', host: 'c', ice: { turnTransports: ['tcp'] } },
      },
      timeoutMs: 30_000,
      expect: { outcome: 'connected' },
    },
    'test/integration/stacks.test.ts',
  );

const relays = (p: PairView | null) => (p ? p.local.candidateType === 'relay' || p.remote.candidateType === 'relay' : null);

withDocker('libwebrtc on the docker backend', () => {
  it('libwebrtc camera x libwebrtc viewers: direct behind two port-restricted cones, relay behind the firewall, by both peers and by the wire', { timeout: 180_000 }, async (ctx) => {
    const r = await runInTest(ctx, dockerCells(), docker);
    expect(r.backend).toBe('docker');
    expect(r.peers.map((p) => `${p.name} ${p.stack}`).sort()).toEqual(['a libwebrtc', 'c libwebrtc', 'camera libwebrtc']);
    expect(r.wire.captured, JSON.stringify(r.wire)).toBe(true);
    for (const [viewer, want] of [['a', 'direct'], ['c', 'relay']] as const) {
      const s = r.sessions.find((x) => x.viewer === viewer)!;
      const where = `viewer ${viewer}: ${explainRun(r)}\nwire: ${JSON.stringify(s.wire?.directions.map((d) => d.settledPath ?? d.path))}`;
      expect(s.prediction.outcome).toBe(want);
      expect(s.failure, where).toBeNull();
      expect(s.outcome, where).toBe(want);
      // By the peers: each side's own selected pair.
      expect([relays(s.selectedPair.viewer), relays(s.selectedPair.camera)], where).toEqual([want === 'relay', want === 'relay']);
      // By the wire: where each direction's last DTLS or media packet went.
      expect(s.wire?.directions.map((d) => d.settledPath?.kind), where).toEqual([want, want]);
      if (want === 'relay') expect(relayProtocolOf(s.selectedPair.viewer, s.selectedPair.camera), where).toBe('tcp');
    }
  });
});
