// Two WebRTC stacks on the same networks: for every pair of NAT presets, a werift viewer and a
// Chromium viewer (libwebrtc) reach the same outcome class. The class is judged from the viewer's
// own selected pair (the controlling agent selects it): with Chromium, the werift camera sometimes
// keeps sending on a relay pair Chromium nominated first and then switched away from; the result
// flags that as `asymmetric`, and it does not change what Chromium itself selected.
import { describe, expect, it } from 'vitest';
import { MATRIX_PRESETS } from '../../lab/matrix/compose.js';
import { runMatrix, type MatrixOptions } from '../../lab/matrix/run-matrix.js';
import { viewerOutcome } from '../../lab/model/run-result.js';
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
  it('reach the same outcome class in every cell, and the one RFC 4787 predicts', { timeout: 900_000 }, async () => {
    const werift = await runMatrix(backend, options('werift'));
    const chromium = await runMatrix(backend, options('chromium'));
    const classes = (m: typeof werift) => Object.fromEntries(m.cells.map((c) => [c.id, viewerOutcome(c.sessions[0])]));
    const predicted = Object.fromEntries(werift.cells.map((c) => [c.id, c.predicted]));
    expect(classes(chromium)).toEqual(classes(werift));
    expect(classes(werift)).toEqual(predicted);
    expect(chromium.cells[0].peers.find((p) => p.role === 'viewer')!.stack).toMatch(/^chromium \d+/);
    expect(werift.cells[0].peers.find((p) => p.role === 'viewer')!.stack).toBe('werift');
  });
});
