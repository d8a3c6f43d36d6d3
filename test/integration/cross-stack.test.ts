// Two WebRTC stacks on the same networks: for every pair of NAT presets, a werift viewer and a
// Chromium viewer (libwebrtc) reach the same outcome class, judged from the viewer's own selected
// pair (the controlling agent selects it): the one RFC 4787 predicts. Where a direct path exists,
// which pair is nominated first is a race (measured: Chromium relays in about half the runs of
// restricted-cone x cgnat, werift in none), so a cell where the stacks differ (or one failed) runs
// three more times on each, and each stack must reach the predicted class in some run; relay-only
// cells must never go direct. Two Chromiums and four werift processes on two cores occasionally
// miss a deadline, so a cell may fail once in its eight runs, never more; every vote and every
// failure is printed, nothing hidden.
import { describe, expect, it } from 'vitest';
import { MATRIX_PRESETS } from '../../lab/matrix/compose.js';
import { cellScenario, runMatrix, type MatrixOptions } from '../../lab/matrix/run-matrix.js';
import { viewerOutcome, type RunResult } from '../../lab/model/run-result.js';
import { runScenario } from '../../lab/run/run-scenario.js';
import { backend } from './helpers.js';

const options = (viewerKind: MatrixOptions['viewerKind']): MatrixOptions => ({
  presets: MATRIX_PRESETS,
  policy: 'all',
  viewerKind,
  signaling: 'lab',
  repeat: 1,
  retries: 0,
  minPassRate: 1,
  workers: 2,
  shard: null,
  expectations: { expect: {}, cells: [] },
  timeoutMs: 20_000,
});

describe('werift and Chromium viewers across the NAT matrix', () => {
  it('reach the same outcome class in every cell', { timeout: 1_800_000 }, async () => {
    const werift = await runMatrix(backend, options('werift'));
    const chromium = await runMatrix(backend, options('chromium'));
    // One vote: the outcome class of the viewer's selected pair; a failure is kept with its reason.
    const vote = (stack: string, session: RunResult['sessions'][number], failed: string[]) => {
      const outcome = viewerOutcome(session);
      if (outcome === 'failed') failed.push(`${stack}: ${session.failure}`);
      return outcome;
    };
    const cells = werift.cells.map((w) => {
      const failed: string[] = [];
      const votes = { werift: [vote('werift', w.run.sessions[0], failed)], chromium: [vote('chromium', chromium.cells.find((c) => c.id === w.id)!.run.sessions[0], failed)] };
      return { cell: w, votes, failed };
    });
    for (const { cell, votes, failed } of cells.filter((x) => x.votes.werift[0] !== x.votes.chromium[0] || x.failed.length)) {
      for (const stack of ['werift', 'chromium'] as const) {
        for (let i = 0; i < 3; i++) votes[stack].push(vote(stack, (await runScenario(cellScenario(cell.viewer, cell.camera, options(stack), {}), backend)).sessions[0], failed));
      }
      console.log(`${cell.id}: werift ${votes.werift.join(',')}; chromium ${votes.chromium.join(',')}${failed.map((f) => `\n  failed: ${f}`).join('')}`);
    }
    for (const { cell, votes, failed } of cells) {
      const all = [...votes.werift, ...votes.chromium];
      expect(failed.length, `${cell.id} failed more than once:\n${failed.join('\n')}`).toBeLessThanOrEqual(1);
      if (cell.predicted === 'relay') expect(all, `${cell.id} needs a relay`).not.toContain('direct');
      expect(votes.werift, `werift in ${cell.id}`).toContain(cell.predicted);
      expect(votes.chromium, `chromium in ${cell.id}`).toContain(cell.predicted);
    }
    expect(chromium.cells[0].run.peers.find((p) => p.role === 'viewer')!.stack).toMatch(/^chromium \d+/);
    expect(werift.cells[0].run.peers.find((p) => p.role === 'viewer')!.stack).toBe('werift');
  });
});
