// A matrix worker's cells share a reaper, go without a lab DNS process and overlap (the next cell's
// lab comes up while the one before tears down; matrix --no-reuse turns all three off): what they
// share must not carry a cell's state into the next. Cells run on one
// worker, one after the other, so a relayed cell follows a direct one and a direct one follows a
// relayed one, and each must end as the same cells run fresh (--no-reuse) and as RFC 4787 says.
// A kill -9 of the matrix during its second cell leaves nothing, as with a reaper per lab.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive, pidsInNamespaces } from '../../lab/backends/netns/processes.js';
import type { MatrixResult } from '../../lab/model/matrix-result.js';
import { cli, startCli, waitUntil } from './cli.js';
import { labNamespaces } from './helpers.js';

const state = mkdtempSync(join(tmpdir(), 'lab-reuse-state-'));
const reports = mkdtempSync(join(tmpdir(), 'lab-reuse-reports-'));
const env = { WEBRTC_LAB_STATE_DIR: state, WEBRTC_LAB_REPORTS_DIR: reports };
afterAll(() => [state, reports].forEach((d) => rmSync(d, { recursive: true, force: true })));

async function matrix(args: string[], workers = 1): Promise<MatrixResult> {
  const r = await cli(['matrix', '--json', '--workers', String(workers), ...args], env);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

/** Per cell, in run order: its outcome and RFC 4787's prediction. */
const outcomes = (m: MatrixResult) => m.cells.map((c) => ({ cell: c.id, outcome: c.outcome, predicted: c.predicted }));

/** What labs leave in the state root: a lab's state folder (its id) and its scratch folder (run-<id>-...). */
const stateFolders = () => readdirSync(state).filter((d) => /^[0-9a-f]{6}$/.test(d) || d.startsWith('run-'));

describe('matrix: cells on a reused worker', () => {
  // --retries 1: which working pair werift nominates first is a race on a busy machine (a relay
  // pair can win where a direct one works); state left by an earlier cell would fail both attempts.
  it('end as the same cells run fresh, relay after direct and direct after relay', async () => {
    const common = ['--retries', '1', '--timeout', '20000'];
    // full-cone first: full-cone x full-cone (direct), full-cone x symmetric (direct), symmetric x symmetric (relay);
    // symmetric first: symmetric x symmetric (relay), symmetric x full-cone (direct), full-cone x full-cone (direct).
    const [directFirst, relayFirst, fresh] = [
      await matrix(['--nats', 'full-cone,symmetric', ...common]),
      await matrix(['--nats', 'symmetric,full-cone', ...common]),
      // Fresh cells share nothing, so their order does not matter: two at once.
      await matrix(['--nats', 'full-cone,symmetric', '--no-reuse', ...common], 2),
    ];
    console.log([directFirst, relayFirst, fresh].map((m) => `${m.reuse ? 'reused' : 'fresh'}: ${m.cells.map((c) => `${c.id} ${c.outcome} (${c.attempts.length} attempt(s))`).join(', ')}`).join('\n'));
    expect(directFirst.reuse).toBe(true);
    expect(fresh.reuse).toBe(false);
    expect(outcomes(directFirst).map((c) => c.outcome)).toEqual(['direct', 'direct', 'relay']);
    expect(outcomes(relayFirst).map((c) => c.outcome)).toEqual(['relay', 'direct', 'direct']);
    expect(outcomes(directFirst)).toEqual(outcomes(fresh));
    // A reused worker overlaps its cells: each next cell's lab came up while the one before was
    // still stopping its camera and tearing down (separate labs: the outcomes above are the proof
    // that nothing carried over).
    for (const m of [directFirst, relayFirst]) {
      const span = m.cells.map((c) => ({ start: Date.parse(c.run.startedAt), end: Date.parse(c.run.startedAt) + c.run.wallMs }));
      for (let i = 1; i < span.length; i++) expect(span[i].start, `${m.cells[i].id} started before ${m.cells[i - 1].id} ended`).toBeLessThan(span[i - 1].end);
    }
    for (const m of [directFirst, relayFirst, fresh]) {
      for (const c of m.cells) {
        expect(c.outcome).toBe(c.predicted);
        // Each cell had a lab of its own, and every one is gone.
        expect(labNamespaces(c.run.labId!)).toEqual([]);
      }
      expect(new Set(m.cells.map((c) => c.run.labId)).size).toBe(m.cells.length);
    }
    expect(stateFolders()).toEqual([]);
  }, 180_000);

  it('kill -9 of the matrix during its second cell leaves nothing of either lab (the shared reaper)', async () => {
    const run = startCli(['matrix', '--nats', 'symmetric,open', '--workers', '1'], env);
    await waitUntil(() => /\[1\/3\]/.test(run.output()), 60_000, 'the first cell to end');
    // The second cell's lab: its scratch folder names it before anything is built.
    const id = await waitUntil(() => readdirSync(state).map((d) => /^run-([0-9a-f]{6})-/.exec(d)?.[1]).find(Boolean), 20_000, "the second cell's lab id");
    // Services, coturn and both peers running in it.
    await waitUntil(() => pidsInNamespaces(labNamespaces(id)).length >= 4, 30_000, "the second cell's processes");
    const seen = pidsInNamespaces(labNamespaces(id));
    run.child.kill('SIGKILL');
    await run.done;
    const t0 = Date.now();
    const left = () => [...labNamespaces(id).map((ns) => `namespace ${ns}`), ...seen.filter(isAlive).map((p) => `process ${p}`), ...stateFolders().map((d) => `state ${d}`)];
    while (left().length && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 25));
    console.log(`kill -9 during the second cell: lab ${id} gone ${Date.now() - t0} ms later, ${seen.length} process(es) were in it`);
    expect(left()).toEqual([]);
  });
});
