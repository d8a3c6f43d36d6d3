// Two WebRTC stacks on the same networks: for every pair of NAT presets, a werift viewer and a
// Chromium viewer (libwebrtc) reach the same outcome class, judged from the viewer's own selected
// pair (the controlling agent selects it). Where a direct path exists, which pair is nominated
// first is a race on both stacks: a cell where the two differ runs three more times on each, and
// is compared by majority; a cell where both stacks produce both outcomes is reported as racy (and
// must still connect). Everything is printed, nothing hidden.
import { describe, expect, it } from 'vitest';
import { MATRIX_PRESETS } from '../../lab/matrix/compose.js';
import { cellScenario, runMatrix, type MatrixOptions } from '../../lab/matrix/run-matrix.js';
import { viewerOutcome } from '../../lab/model/run-result.js';
import type { Outcome } from '../../lab/model/scenario.js';
import { runScenario } from '../../lab/run/run-scenario.js';
import { backend } from './helpers.js';

const options = (viewerKind: MatrixOptions['viewerKind']): MatrixOptions => ({
  presets: MATRIX_PRESETS,
  policy: 'all',
  viewerKind,
  repeat: 1,
  retries: 0,
  minPassRate: 1,
  workers: 2,
  shard: null,
  expectations: { expect: {}, cells: [] },
  timeoutMs: 20_000,
});

const majority = (votes: Outcome[]) => [...votes].sort((a, b) => votes.filter((v) => v === b).length - votes.filter((v) => v === a).length)[0];

describe('werift and Chromium viewers across the NAT matrix', () => {
  it('reach the same outcome class in every cell', { timeout: 1_800_000 }, async () => {
    const werift = await runMatrix(backend, options('werift'));
    const chromium = await runMatrix(backend, options('chromium'));
    const cells = werift.cells.map((w) => ({ cell: w, votes: { werift: [viewerOutcome(w.sessions[0])], chromium: [viewerOutcome(chromium.cells.find((c) => c.id === w.id)!.sessions[0])] } }));
    for (const { cell, votes } of cells.filter((x) => x.votes.werift[0] !== x.votes.chromium[0])) {
      for (const stack of ['werift', 'chromium'] as const) {
        for (let i = 0; i < 3; i++) votes[stack].push(viewerOutcome((await runScenario(cellScenario(cell.viewer, cell.camera, options(stack), {}), backend)).sessions[0]));
      }
      console.log(`${cell.id}: werift ${votes.werift.join(',')}; chromium ${votes.chromium.join(',')}`);
    }
    const racy = cells.filter(({ votes }) => new Set(votes.werift).size > 1 && new Set(votes.chromium).size > 1);
    if (racy.length) console.log(`racy (both stacks saw direct and relay): ${racy.map((r) => r.cell.id).join(', ')}`);
    const classOf = (stack: 'werift' | 'chromium') => Object.fromEntries(cells.filter((x) => !racy.includes(x)).map(({ cell, votes }) => [cell.id, majority(votes[stack])]));
    expect(classOf('chromium')).toEqual(classOf('werift'));
    for (const { cell, votes } of cells) {
      expect([...votes.werift, ...votes.chromium], cell.id).not.toContain('failed');
      if (cell.predicted === 'relay') expect([...votes.werift, ...votes.chromium], `${cell.id} needs a relay`).not.toContain('direct');
    }
    expect(racy.length).toBeLessThan(cells.length / 4);
    expect(chromium.cells[0].peers.find((p) => p.role === 'viewer')!.stack).toMatch(/^chromium \d+/);
    expect(werift.cells[0].peers.find((p) => p.role === 'viewer')!.stack).toBe('werift');
  });
});
