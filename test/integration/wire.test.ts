// The wire oracle against the peers' own reports, on every shipped werift scenario: the outcome and
// each direction's path (relay transport included) read from the packets must match what the
// contract peers say they selected. Plus one Chromium scenario, whose two directions are reported apart.
import { describe, expect, it } from 'vitest';
import { listScenarios, loadScenario, type Scenario } from '../../lab/model/scenario.js';
import { relays, type RunResult } from '../../lab/model/run-result.js';
import { wireLines } from '../../lab/report/wire-lines.js';
import { explainRun, runInTest, runRepeatedInTest } from './helpers.js';

const WERIFT = new Set(['viewer', 'pi-camera']);
const weriftOnly = (s: Scenario) => [s.camera, ...s.viewers].every((p) => WERIFT.has(p.kind) && !p.command);

function wireReport(r: RunResult): string {
  return [`${r.scenario}: wire ${JSON.stringify(r.wire)}`, ...r.sessions.flatMap((s) => [`${s.viewer}: peers ${s.outcome}`, ...wireLines(s, r)])].join('\n');
}

describe('wire oracle', () => {
  // signaling: kvs scenarios: signaling-kvs.test.ts checks the wire against the peers on both. Held
  // calls with network events (events.test.ts) are left out: their paths change on purpose; so are
  // impaired links (impairments.test.ts runs them; satellite fails on purpose: werift's DTLS at 600 ms RTT).
  const scenarios = listScenarios().map((n) => loadScenario(n)).filter((s) => weriftOnly(s) && s.signaling !== 'kvs' && !s.events && !s.impairments?.length);

  it('covers the shipped werift scenarios', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(10);
  });

  for (const scenario of scenarios) {
    it(`${scenario.name}: agrees with the peers`, async (ctx) => {
      // Ten viewers at once: on two cores werift's DTLS sometimes times out (scenarios.test.ts allows one retry too).
      const retries = scenario.name === 'multi-viewer' ? 1 : 0;
      const repeated = await runRepeatedInTest(ctx, scenario, { repeat: 1, retries, minPassRate: 1 });
      const r = repeated.representative;
      const report = wireReport(r);
      expect(r.wire, report).toMatchObject({ captured: true, dropped: 0 });
      // Only multi-viewer may lose a session to the machine's load; the wire must then say failed too.
      if (scenario.name !== 'multi-viewer') expect(r.sessions.map((s) => s.outcome), explainRun(r)).not.toContain('failed');
      for (const s of r.sessions) {
        expect(s.wire, report).not.toBe(null);
        const shareNat = s.wire!.notes.some((n) => /share a public address/.test(n));
        // Behind one NAT the direct path hairpins and never reaches the internet: the wire cannot tell.
        if (shareNat && s.outcome === 'direct') expect(s.wire!.outcome, report).toBe(null);
        else if (s.outcome === 'failed' && s.wire!.outcome !== 'failed') {
          // A session that failed above a working path (no first frame in time): the flag says so.
          expect(s.wire!.disagreements, report).toEqual([expect.stringMatching(/the peers failed, yet the wire saw a working/)]);
          continue;
        } else expect(s.wire!.outcome, report).toBe(s.outcome);
        expect(s.wire!.disagreements, report).toEqual([]);
        if (s.wire!.outcome === null || s.outcome === 'failed') continue;
        for (const d of s.wire!.directions) {
          expect(d.dtls.packets, report).toBeGreaterThan(0);
          expect(d.firstDtlsMs!, report).toBeGreaterThan(d.firstStunCheckMs!);
          expect(d.firstDtlsMs!, report).toBeLessThan(r.overhead.wallMs);
        }
        // The camera's video, seen on the wire.
        expect(s.wire!.directions[1].rtp.packets, report).toBeGreaterThan(0);
        // The relay transport each side reports for its own allocation is the one on the wire.
        for (const [i, pair] of [s.selectedPair.viewer, s.selectedPair.camera].entries()) {
          if (pair?.local.candidateType !== 'relay') continue;
          const owner = i === 0 ? s.viewer : s.camera;
          const relay = s.wire!.directions[i].path!.relays.find((x) => x.owner === owner);
          expect(relay?.transport, report).toBe(pair.local.relayProtocol);
        }
      }
      console.log(report);
    });
  }

  it('chromium-symmetric-nat: the Chromium viewer and the werift camera, one line per direction', async (ctx) => {
    const r = await runInTest(ctx, loadScenario('chromium-symmetric-nat'));
    const s = r.sessions[0];
    const report = wireReport(r);
    expect(s.wire!.outcome, report).toBe(s.outcome);
    const [v2c, c2v] = s.wire!.directions;
    expect([v2c.from, v2c.to, c2v.from, c2v.to]).toEqual([s.viewer, s.camera, s.camera, s.viewer]);
    for (const d of s.wire!.directions) expect(d.path, report).not.toBe(null);
    // The flag is raised exactly when a direction went otherwise than its sender's selected pair.
    const said = [s.selectedPair.viewer, s.selectedPair.camera].map((p) => (relays(p) ? 'relay' : 'direct'));
    const differs = s.wire!.directions.some((d, i) => d.path!.kind !== said[i]) || s.wire!.outcome !== s.outcome;
    expect(s.wire!.disagreements.length > 0, report).toBe(differs);
    console.log(report);
  });
});
