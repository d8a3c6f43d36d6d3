// Bring-your-own peers: any program that keeps the peer contract can be a peer; one that breaks it
// fails the run with a message that says what it did wrong.
import { describe, expect, it } from 'vitest';
import { loadScenario, type Scenario } from '../../lab/model/scenario.js';
import { runScenario } from '../../lab/run/run-scenario.js';
import { backend } from './helpers.js';

const quick = (): Scenario => ({ ...loadScenario('port-restricted-cone'), timeoutMs: 4000 });
const failureOf = async (peerCommands: Record<string, string[]>) => {
  const r = await runScenario(quick(), backend, { peerCommands });
  expect(r.outcome).toBe('failed');
  return r.sessions[0].failure!;
};

describe.concurrent('peers that break the contract', () => {
  it('prints something that is not JSON', async () => {
    expect(await failureOf({ viewer: ['sh', '-c', 'echo hello from a peer; sleep 1'] })).toBe(
      'viewer viewer broke the peer contract (peers/README.md): stdout line 1: not JSON: hello from a peer',
    );
  });

  it('prints no events at all', async () => {
    expect(await failureOf({ viewer: ['sh', '-c', 'echo logs go to stderr >&2'] })).toBe(
      'viewer viewer printed no events on stdout (the peer contract: one JSON object per line) and exited with code 0',
    );
  });

  it('exits early, before its result', async () => {
    const script = 'console.log(JSON.stringify({ t: 1, event: "started", stack: "toy" })); console.log(JSON.stringify({ t: 2, event: "signaling-connected" }))';
    expect(await failureOf({ viewer: ['node', '-e', script] })).toBe('viewer viewer exited with code 0 before reporting a first frame (last event: "signaling-connected")');
  });

  it('a camera that exits while the viewer waits is named', async () => {
    expect(await failureOf({ camera: ['sh', '-c', 'exit 0'] })).toMatch(/; camera camera: exited with code 0 while the viewers waited, without printing any event$/);
  });

  it('an event with the wrong shape', async () => {
    const script = 'console.log(JSON.stringify({ t: 1, event: "selected-pair", pair: { local: 1 } }))';
    expect(await failureOf({ viewer: ['node', '-e', script] })).toMatch(/broke the peer contract \(peers\/README\.md\): stdout line 1: "selected-pair" event: pair\.local/);
  });
});

describe('a second, independent WebRTC stack through the same contract', () => {
  it('node-datachannel (libdatachannel) as a command peer connects and reports its pair', async () => {
    const r = await runScenario(loadScenario('byo-node-datachannel'), backend);
    expect(r.passed, r.sessions[0].failure ?? '').toBe(true);
    expect(r.peers.find((p) => p.role === 'viewer')!.stack).toMatch(/^node-datachannel /);
    expect(r.sessions[0].selectedPair.viewer!.local.candidateType).toMatch(/host|srflx/);
  });

  it('node-datachannel refuses TURN over TCP or TLS and says why', async () => {
    const s = loadScenario('byo-node-datachannel');
    s.viewers[0].ice = { ...s.viewers[0].ice, turnTransports: ['tls'] };
    const r = await runScenario({ ...s, timeoutMs: 4000 }, backend);
    expect(r.sessions[0].failure).toContain('no TURN over tls (libdatachannel #1484)');
  });
});
