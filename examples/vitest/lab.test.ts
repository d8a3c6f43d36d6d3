// What a team writes in its own repo: the lab imported by package name, results asserted like any
// other test. Run as root (the lab builds network namespaces): sudo -E npx vitest run
import { describe, expect, it } from 'vitest';
import { loadScenario, runScenario, type Reporter, type RunResult } from 'webrtc-nat-lab';

describe('NAT traversal', () => {
  it('behind two symmetric NATs the call relays through TURN', async () => {
    const steps: string[] = [];
    const ends: string[] = [];
    const watcher: Reporter = { onRunEnd: (r) => void ends.push(r.outcome) };
    const result: RunResult = await runScenario('symmetric-nat', {
      onProgress: (line) => steps.push(line),
      reporters: [watcher],
      // A test that times out aborts its run: the lab is torn down, nothing is left behind.
      signal: AbortSignal.timeout(90_000),
    });
    expect(result.outcome).toBe('relay');
    expect(result.passed).toBe(true);
    expect(result.sessions[0].outcome).toBe('relay');
    expect(ends.length).toBeGreaterThanOrEqual(1);
    expect(steps.some((l) => l.includes('coturn and signaling ready'))).toBe(true);
  }, 120_000);

  it('scenarios can be given as objects: a full-cone pair connects directly', async () => {
    const result = await runScenario(
      {
        name: 'inline-full-cone',
        topology: 'full-cone',
        peers: { camera: { kind: 'pi-camera', host: 'b' }, viewer: { kind: 'viewer', host: 'a' } },
        expect: { outcome: 'direct' },
      },
      { reportsDir: false, signal: AbortSignal.timeout(90_000) },
    );
    expect(result.scenario).toBe('inline-full-cone');
    expect(result.outcome).toBe('direct');
  }, 120_000);

  it('loads the presets it ships', () => {
    expect(loadScenario('relay-forced').viewers[0].ice.policy).toBe('relay');
  });
});
