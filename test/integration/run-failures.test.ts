// Runs that go wrong end as "failed" within the scenario's timeout and leave nothing behind; a
// misbehaving signaling client gets error replies and cannot hurt another room's session.
import { describe, expect, it } from 'vitest';
import { pidsInNamespaces } from '../../lab/backends/netns/processes.js';
import { loadScenario, type Scenario } from '../../lab/model/scenario.js';
import { runScenario } from '../../lab/run/run-scenario.js';
import { monotonicMs } from '../../lab/util/clock.js';
import { projectPath } from '../../lab/util/paths.js';
import { backend, labNamespaces } from './helpers.js';

const quick = (): Scenario => ({ ...loadScenario('port-restricted-cone'), timeoutMs: 3000 });

describe.concurrent('runs that fail', () => {
  it('a camera that crashes at start: failed within the timeout, nothing left behind', async () => {
    const t0 = monotonicMs();
    const r = await runScenario(quick(), backend, { peerCommands: { camera: ['node', '-e', 'process.exit(3)'] } });
    const elapsed = monotonicMs() - t0;
    expect(r.outcome).toBe('failed');
    expect(r.passed).toBe(false);
    expect(r.sessions[0].failure).toMatch(/no first video frame within 3000 ms/);
    expect(r.peers.find((p) => p.name === 'camera')!.exitCode).toBe(3);
    expect(elapsed).toBeLessThan(3000 + 5000);
    expect(labNamespaces(r.labId!)).toEqual([]);
    expect(r.logs?.coturn.length).toBeGreaterThan(0); // kept because the run failed
  });

  it('a camera that never answers: failed within the timeout, its process stopped', async () => {
    const r = await runScenario(quick(), backend, { peerCommands: { camera: ['sleep', '600'] } });
    expect(r.outcome).toBe('failed');
    expect(r.sessions[0].failure).toMatch(/while waiting for the answer/);
    expect(labNamespaces(r.labId!)).toEqual([]);
    expect(pidsInNamespaces(labNamespaces(r.labId!))).toEqual([]);
  });

  it('a viewer that hangs forever is stopped by the lab after the timeout and its grace', async () => {
    const r = await runScenario(quick(), backend, { peerCommands: { viewer: ['sleep', '600'] } });
    expect(r.outcome).toBe('failed');
    expect(r.sessions[0].failure).toMatch(/no result within 8000 ms, stopped by the lab/);
  });

  it('malformed and oversized signaling in another room get error replies; this room completes', async () => {
    let rogue: Record<string, unknown> = {};
    const r = await runScenario(loadScenario('port-restricted-cone'), backend, {
      extraRooms: { other: ['stranger', 'camera'] },
      afterServices: async ({ lab, plan }) => {
        const url = `${plan.signalingUrl}?room=other&peer=stranger&token=${plan.tokenFor('other', 'stranger')}`;
        const out = await lab.exec('a', ['node', projectPath('test', 'fixtures', 'rogue-signaling.mjs'), url], { timeoutMs: 10_000 });
        rogue = JSON.parse(out.stdout);
      },
    });
    expect(rogue).toEqual({ codes: ['bad-json', 'too-large', 'bad-message'] });
    expect(r.expectations.filter((c) => !c.ok), r.sessions[0].failure ?? '').toEqual([]);
    expect(r.outcome).toBe('direct');
  });
});
