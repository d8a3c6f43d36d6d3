// The services process starts with the peers, before coturn. A peer handed TURN before coturn
// listens gets its TCP/TLS connection refused, and libwebrtc never tries that server again
// (error 701: no relay candidate, a false "failed"). So, as the lab runs it, the process
// holds /ice-config answers until the lab says `turn-ready` (lab/services/lab-services.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { httpRequest, startLoopbackServices, type LoopbackServices } from '../../lab/services/loopback-harness.js';

let s: LoopbackServices | null = null;
afterEach(async () => {
  await s?.stop();
  s = null;
});

const iceConfig = (svc: LoopbackServices) => httpRequest(svc.port, 'GET', '/ice-config?room=r&peer=view', { authorization: `Bearer ${svc.token('r', 'view')}` }, 5000);

describe('ICE configs wait for coturn', () => {
  it('an /ice-config request made before turn-ready is answered only after it, with the TURN servers', async () => {
    s = await startLoopbackServices({ rooms: { r: ['cam', 'view'] }, holdIceConfigForTurnMs: 4000 });
    const svc = s;
    const asked = Date.now();
    const answer = iceConfig(svc).then((a) => ({ ...a, at: Date.now() }));
    await new Promise((r) => setTimeout(r, 400));
    const saidAt = Date.now();
    svc.say('turn-ready');
    const a = await answer;
    expect(a.status).toBe(200);
    expect(a.at).toBeGreaterThanOrEqual(saidAt);
    expect(a.at - asked).toBeLessThan(3000);
    expect(JSON.parse(a.body).IceServerList.length).toBeGreaterThan(0);
    await svc.waitForLine(/"event":"turn-ready"/, 1000);
    // Once ready, answers come at once.
    expect((await iceConfig(svc)).status).toBe(200);
  });

  it('a lab that never says turn-ready still gets answers after the bound, and the log says so', async () => {
    s = await startLoopbackServices({ rooms: { r: ['cam', 'view'] }, holdIceConfigForTurnMs: 600 });
    const asked = Date.now();
    const a = await iceConfig(s);
    expect(a.status).toBe(200);
    expect(Date.now() - asked).toBeGreaterThanOrEqual(500);
    await s.waitForLine(/"event":"turn-ready-not-heard"/, 1000);
  });

  it('without the setting (a services process of its own), answers are not held', async () => {
    s = await startLoopbackServices({ rooms: { r: ['cam', 'view'] } });
    const asked = Date.now();
    expect((await iceConfig(s)).status).toBe(200);
    expect(Date.now() - asked).toBeLessThan(1000);
  });
});
