// signaling: whep end to end: the pi-camera serves WHEP (pi-webrtc's shape) and the werift viewer
// is its client; NAT traversal of the media is the same as with the lab's own signaling.
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../lab/model/scenario.js';
import { explainRun, runInTest } from './helpers.js';

/** The viewer's WHEP requests, as [method, status]. */
const whepSteps = (events: { event: string; protocol?: unknown; step?: unknown; status?: number }[]) => events.filter((e) => e.event === 'signaling-step' && e.protocol === 'whep').map((e) => [e.step, e.status]);

describe('signaling: whep', () => {
  for (const [name, outcome] of [['whep-symmetric-nat', 'relay'], ['whep-full-cone', 'direct']] as const) {
    it(`${name}: ${outcome}, by the peers and by the wire`, async (ctx) => {
      const scenario = loadScenario(name);
      expect(scenario.signaling).toBe('whep');
      const r = await runInTest(ctx, scenario);
      expect(r.passed, explainRun(r)).toBe(true);
      expect(r.outcome).toBe(outcome);
      const [s] = r.sessions;
      expect(s.wire?.outcome).toBe(outcome);
      expect(s.firstFrameMs).toBeGreaterThan(0);
      if (outcome === 'relay') expect([s.candidateTypes.viewer, s.candidateTypes.camera]).toContain('relay');
      else expect(Object.values(s.candidateTypes)).not.toContain('relay');
      // The viewer spoke WHEP: one POST answered 201, its trickle PATCHes 204, the DELETE 202.
      const steps = whepSteps(r.events.viewer as { event: string; status?: number }[]);
      expect(steps[0]).toEqual(['POST', 201]);
      expect(steps.filter(([e]) => e === 'PATCH').length).toBeGreaterThan(0);
      for (const [e, status] of steps.slice(1)) expect(status).toBe(e === 'PATCH' ? 204 : 202);
      expect(steps.at(-1)).toEqual(['DELETE', 202]);
    });
  }

  it('without trickle the offer carries every candidate: one POST, no PATCH, still direct', async (ctx) => {
    const scenario = loadScenario('whep-full-cone');
    for (const p of [scenario.camera, ...scenario.viewers]) p.ice.trickle = false;
    const r = await runInTest(ctx, scenario);
    expect(r.passed, explainRun(r)).toBe(true);
    expect(r.outcome).toBe('direct');
    expect(r.sessions[0].wire?.outcome).toBe('direct');
    expect(whepSteps(r.events.viewer as { event: string; status?: number }[])).toEqual([['POST', 201], ['DELETE', 202]]);
    const offer = r.events.viewer.find((e) => e.event === 'local-description')?.sdp as string;
    expect(offer).toMatch(/^a=candidate:/m);
  });

  it('the Chromium viewer is a WHEP client with the page\'s own fetch(): full-cone x full-cone connects directly', async (ctx) => {
    const r = await runInTest(ctx, loadScenario('chromium-whep-full-cone'));
    expect(r.passed, explainRun(r)).toBe(true);
    expect(r.outcome).toBe('direct');
    expect(r.sessions[0].wire?.outcome).toBe('direct');
    expect(r.peers.find((p) => p.name === 'viewer')?.stack).toMatch(/^chromium /);
    const steps = whepSteps(r.events.viewer as { event: string; status?: number }[]);
    expect(steps[0]).toEqual(['POST', 201]);
    expect(steps.at(-1)).toEqual(['DELETE', 202]);
    for (const [e, status] of steps.slice(1, -1)) expect([e, status]).toEqual(['PATCH', 204]);
    // The Location and ETag the camera's server set reached the page's fetch() through the tunnel.
    const post = r.events.viewer.find((e) => e.event === 'signaling-step' && e.step === 'POST');
    expect(post?.location).toMatch(/^\/resource\/[0-9a-f]+$/);
    expect(String(post?.detail)).toMatch(/ETag "[0-9a-f]+"/);
  });
});
