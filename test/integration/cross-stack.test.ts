// Two WebRTC stacks on the same networks: for every pair of NAT presets, a werift viewer and a
// Chromium viewer (libwebrtc), each against the default (werift) camera, reach the class RFC 4787
// predicts in every run (CROSS_STACK_REPEAT runs per cell, default 1 in `npm test`; the 10-run soak is
// `npm run bench -- stacks`). The class is the session's: a direction that settled on TURN on the
// wire makes it relay even when both peers report a direct pair. Chromium often nominates a relay
// pair first and the direct one a moment later; the werift peers follow the better nomination
// (peers/lib/werift-renomination.ts), which used to be a race this test tolerated ("some run of
// four"). A run the lab itself calls inconclusive (the machine was saturated: verdict
// "inconclusive") is printed and not counted, and at most one in ten runs may be; every other run
// counts.
import { describe, expect, it } from 'vitest';
import { MATRIX_PRESETS } from '../../lab/matrix/compose.js';
import { diagnoseRun, reachedPrediction } from '../../lab/matrix/run-diagnosis.js';
import { runMatrix, type MatrixOptions } from '../../lab/matrix/run-matrix.js';
import type { MatrixResult } from '../../lab/model/matrix-result.js';
import { backend } from './helpers.js';

const REPEAT = Number(process.env.CROSS_STACK_REPEAT ?? 1);

/** Why each missed run missed (both peers' pairs and the wire's paths), kept for the failure message: CI shows only its tail. */
const missDiagnoses = new Map<string, string[]>();
const missKey = (stack: string, cell: string, repeat: number) => `${stack} ${cell} ${repeat}`;

const options = (viewerKind: MatrixOptions['viewerKind']): MatrixOptions => ({
  presets: MATRIX_PRESETS,
  policy: 'all',
  viewerKind,
  signaling: 'lab',
  repeat: REPEAT,
  retries: 0,
  minPassRate: 1,
  workers: 2,
  shard: null,
  expectations: { expect: {}, cells: [] },
  timeoutMs: 20_000,
  // A run that missed the class says why: both peers' pairs and the wire's paths.
  onRun: (cell, r, a) => {
    if (reachedPrediction(r)) return;
    const lines = diagnoseRun(r);
    missDiagnoses.set(missKey(viewerKind!, cell, a.repeat), lines);
    for (const line of lines) console.log(`${viewerKind} viewer, ${cell} run ${a.repeat}: ${line}`);
  },
});

const inconclusive = (failure: string | null) => failure?.startsWith('INCONCLUSIVE') ?? false;

/** Every run of every cell: the class it reached, or why the lab could not tell. */
function tally(stack: string, m: MatrixResult) {
  const runs = m.cells.flatMap((c) => c.attempts.map((a) => ({ stack, cell: c.id, predicted: c.predicted, outcome: a.outcome, failure: a.failure, repeat: a.repeat })));
  return { runs, counted: runs.filter((r) => !inconclusive(r.failure)), skipped: runs.filter((r) => inconclusive(r.failure)) };
}

describe('werift and Chromium viewers across the NAT matrix', () => {
  it(`reach the class RFC 4787 predicts in every run (${REPEAT} per cell and stack)`, { timeout: 900_000 * Math.max(1, REPEAT) }, async () => {
    const werift = await runMatrix(backend, options('werift'));
    const chromium = await runMatrix(backend, options('chromium'));
    const all = [tally('werift', werift), tally('chromium', chromium)];
    for (const t of all) {
      const agreed = t.counted.filter((r) => r.outcome === r.predicted).length;
      console.log(`${t.runs[0]?.stack} viewer: ${agreed}/${t.counted.length} runs reached the predicted class, ${t.skipped.length} inconclusive`);
      for (const r of t.skipped) console.log(`  inconclusive, not counted: ${r.cell} run ${r.repeat}: ${r.failure}`);
    }
    const misses = all.flatMap((t) => t.counted.filter((r) => r.outcome !== r.predicted));
    const missText = misses.map((r) => `${r.stack} viewer, ${r.cell} run ${r.repeat}: predicted ${r.predicted}, got ${r.outcome}${r.failure ? ` (${r.failure})` : ''}${(missDiagnoses.get(missKey(r.stack, r.cell, r.repeat)) ?? []).map((l) => `\n  ${l}`).join('')}`).join('\n');
    expect(misses, missText).toEqual([]);
    const runs = all.flatMap((t) => t.runs);
    expect(all.flatMap((t) => t.skipped).length, 'too many inconclusive runs to judge: re-run on a quieter machine').toBeLessThanOrEqual(Math.floor(runs.length / 10));
    expect(runs.length).toBe(2 * werift.cells.length * REPEAT);
    expect(chromium.cells[0].run.peers.find((p) => p.role === 'viewer')!.stack).toMatch(/^chromium \d+/);
    expect(werift.cells[0].run.peers.find((p) => p.role === 'viewer')!.stack).toBe('werift');
  });
});
