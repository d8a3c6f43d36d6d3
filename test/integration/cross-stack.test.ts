// Two WebRTC stacks on the same networks: for every pair of NAT presets, a werift viewer and a
// Chromium viewer (libwebrtc) reach the same outcome class. The class is the viewer's own selected
// pair (the controlling agent selects it). Where a direct path exists, which pair is nominated
// first is a race on any stack; a cell where the two stacks differ is run three more times with
// Chromium and its majority decides (printed, never hidden).
import { describe, expect, it } from 'vitest';
import { MATRIX_PRESETS } from '../../lab/matrix/compose.js';
import { cellScenario, runMatrix, type MatrixOptions } from '../../lab/matrix/run-matrix.js';
import { viewerOutcome } from '../../lab/model/run-result.js';
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

describe('werift and Chromium viewers across the NAT matrix', () => {
  it('reach the same outcome class in every cell, and the one RFC 4787 predicts', { timeout: 1_200_000 }, async () => {
    const werift = await runMatrix(backend, options('werift'));
    const chromium = await runMatrix(backend, options('chromium'));
    const classes = (m: typeof werift) => Object.fromEntries(m.cells.map((c) => [c.id, viewerOutcome(c.sessions[0])]));
    const w = classes(werift);
    const c = classes(chromium);
    for (const cell of chromium.cells.filter((x) => c[x.id] !== w[x.id])) {
      const votes: ReturnType<typeof viewerOutcome>[] = [];
      for (let i = 0; i < 3; i++) votes.push(viewerOutcome((await runScenario(cellScenario(cell.viewer, cell.camera, options('chromium'), {}), backend)).sessions[0]));
      const majority = votes.sort((a, b) => votes.filter((v) => v === b).length - votes.filter((v) => v === a).length)[0];
      console.log(`chromium ${cell.id}: first run ${c[cell.id]}, werift ${w[cell.id]}; three more runs: ${votes.join(', ')} -> ${majority}`);
      c[cell.id] = majority;
    }
    expect(c).toEqual(w);
    expect(w).toEqual(Object.fromEntries(werift.cells.map((x) => [x.id, x.predicted])));
    expect(chromium.cells[0].peers.find((p) => p.role === 'viewer')!.stack).toMatch(/^chromium \d+/);
    expect(werift.cells[0].peers.find((p) => p.role === 'viewer')!.stack).toBe('werift');
  });
});
