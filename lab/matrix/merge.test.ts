import { describe, expect, it } from 'vitest';
import type { MatrixCell, MatrixResult } from '../model/matrix-result.js';
import { MATRIX_RESULT_SCHEMA_VERSION, matrixCells, shardCells } from '../model/matrix-result.js';
import { matrixJunit } from '../report/junit.js';
import { matrixHtml } from '../report/html.js';
import { matrixGrid, matrixMarkdown } from '../report/matrix-text.js';
import { mergeMatrices } from './merge.js';

const presets = ['full-cone', 'port-restricted-cone', 'symmetric'];

function cell(viewer: string, camera: string, status: MatrixCell['status'] = 'passed'): MatrixCell {
  const outcome = viewer === 'symmetric' && camera !== 'full-cone' ? 'relay' : 'direct';
  const session = { viewer: 'viewer', camera: 'camera', outcome, failure: null, selectedPair: { viewer: null, camera: null }, candidateTypes: { viewer: outcome === 'relay' ? 'relay' : 'srflx', camera: 'srflx' }, timeline: {}, setupMs: 500, firstFrameMs: 490, candidates: { viewer: [], camera: [] } };
  return {
    id: `${viewer}__${camera}`,
    viewer,
    camera,
    outcome,
    predicted: outcome,
    expect: { outcome: status === 'failed' ? 'direct' : outcome },
    status,
    passRate: status === 'failed' ? 0 : 1,
    minPassRate: 1,
    latency: { setupMs: { p50: 500, p95: 500 }, firstFrameMs: { p50: 490, p95: 490 } },
    cellChecks: [{ name: 'passRate', session: null, expected: '>= 1', actual: status === 'failed' ? '0/1' : '1/1', ok: status !== 'failed' }],
    attempts: [{ repeat: 1, attempt: 1, passed: status !== 'failed', outcome, setupMs: 500, firstFrameMs: 490, failure: status === 'failed' ? 'outcome: expected direct, got relay' : null }],
    setupMs: 500,
    firstFrameMs: 490,
    run: { runId: 'r1', labId: 'abc123', startedAt: '2026-11-25T00:00:00Z', outcome, passed: status !== 'failed', expectations: [], sessions: [session], peers: [], wallMs: 1500, teardown: { ok: true, failures: [] } },
  } as unknown as MatrixCell;
}

function matrix(shard: { index: number; count: number } | null, failing: string[] = []): MatrixResult {
  const all = matrixCells(presets);
  const cells = (shard ? shardCells(all, shard) : all).map((c) => cell(c.viewer, c.camera, failing.includes(c.id) ? 'failed' : 'passed'));
  return { schemaVersion: MATRIX_RESULT_SCHEMA_VERSION, kind: 'matrix', runId: 'r', startedAt: '2026-11-25T00:00:00Z', backend: 'netns', presets, presetInfo: {}, policy: 'all', viewerKind: 'werift', repeat: 1, retries: 0, minPassRate: 1, workers: 1, shards: [shard ?? { index: 1, count: 1 }], totalCells: all.length, cells, passed: !failing.length, wallMs: 1000 };
}

describe('matrix cells and shards', () => {
  it('the upper triangle, row by row: n(n+1)/2 cells', () => {
    expect(matrixCells(presets).map((c) => c.id)).toEqual(['full-cone__full-cone', 'full-cone__port-restricted-cone', 'full-cone__symmetric', 'port-restricted-cone__port-restricted-cone', 'port-restricted-cone__symmetric', 'symmetric__symmetric']);
    expect(matrixCells(Array.from({ length: 8 }, (_, i) => `p${i}`))).toHaveLength(36);
  });

  it('shards are disjoint and cover every cell', () => {
    const all = matrixCells(presets).map((c) => c.id);
    const parts = [1, 2, 3, 4].map((i) => shardCells(all, { index: i, count: 4 }));
    expect(parts.flat().sort()).toEqual([...all].sort());
  });

  it('merging shards gives the cells of the whole matrix, in order', () => {
    const merged = mergeMatrices([
      { source: 's2', matrix: matrix({ index: 2, count: 2 }) },
      { source: 's1', matrix: matrix({ index: 1, count: 2 }) },
    ]);
    expect(merged.cells.map((c) => c.id)).toEqual(matrix(null).cells.map((c) => c.id));
    expect(merged.shards).toEqual([{ index: 1, count: 2 }, { index: 2, count: 2 }]);
    expect(merged.missingCells).toEqual([]);
    expect(merged.passed).toBe(true);
  });

  it('a missing shard or a failed cell fails the merged gate; overlapping or foreign shards are refused', () => {
    expect(mergeMatrices([{ source: 's1', matrix: matrix({ index: 1, count: 2 }) }]).passed).toBe(false);
    expect(mergeMatrices([{ source: 's1', matrix: matrix({ index: 1, count: 2 }) }, { source: 's2', matrix: matrix({ index: 2, count: 2 }, ['full-cone__port-restricted-cone']) }]).passed).toBe(false);
    expect(() => mergeMatrices([{ source: 'a', matrix: matrix(null) }, { source: 'b', matrix: matrix(null) }])).toThrow('cell full-cone x full-cone is in both a and b');
    const other = { ...matrix({ index: 2, count: 2 }), policy: 'relay' as const };
    expect(() => mergeMatrices([{ source: 'a', matrix: matrix({ index: 1, count: 2 }) }, { source: 'b', matrix: other }])).toThrow('b: policy is "relay", but a has "all"');
    // Signaling: shards of another protocol are another matrix; a result without it (older labs) is lab.
    const mqtt = { ...matrix({ index: 2, count: 2 }), signaling: 'mqtt' as const };
    expect(() => mergeMatrices([{ source: 'a', matrix: matrix({ index: 1, count: 2 }) }, { source: 'b', matrix: mqtt }])).toThrow('b: signaling is "mqtt", but a has "lab"');
    const lab = { ...matrix({ index: 2, count: 2 }), signaling: 'lab' as const };
    expect(mergeMatrices([{ source: 'a', matrix: matrix({ index: 1, count: 2 }) }, { source: 'b', matrix: lab }]).cells).toHaveLength(matrixCells(presets).length);
  });
});

describe('matrix reports', () => {
  const m = matrix(null, ['symmetric__symmetric']);

  it('terminal grid: one row per viewer preset, the upper triangle filled', () => {
    const grid = matrixGrid(m).split('\n');
    expect(grid[0]).toMatch(/^viewer \\ camera +full-cone +port-restricted-cone +symmetric$/);
    expect(grid[3]).toMatch(/^symmetric +!R relay\/srflx$/);
  });

  it('Markdown names the failed cell and why', () => {
    const md = matrixMarkdown(m);
    expect(md).toContain('### NAT traversal matrix: FAILED');
    expect(md).toContain('| symmetric x symmetric | failed | direct | passRate: 0/1<br>run 1.1: outcome: expected direct, got relay |');
  });

  it('JUnit: one testcase per cell, a failure element for the failed one', () => {
    const xml = matrixJunit(m);
    expect(xml.match(/<testcase /g)).toHaveLength(6);
    expect(xml).toContain('<testsuite name="nat-matrix" tests="6" failures="1"');
    expect(xml).toMatch(/name="symmetric x symmetric"[^]*?<failure message="passRate: expected &gt;= 1, got 0\/1">/);
  });

  it('HTML is self-contained: no external resources, every cell linked to its details', () => {
    const html = matrixHtml(m);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).not.toContain('<script');
    for (const c of m.cells) expect(html).toContain(`href="#cell-${c.id}"`);
    expect(html).toContain('id="cell-symmetric__symmetric"');
  });
});

describe('reading shard reports', () => {
  it('refuses a matrix.json of another schema version, saying which versions', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { readMatrix } = await import('./merge.js');
    const dir = mkdtempSync(join(tmpdir(), 'lab-merge-test-'));
    try {
      writeFileSync(join(dir, 'matrix.json'), JSON.stringify({ ...matrix(null), schemaVersion: 0 }));
      expect(() => readMatrix(dir)).toThrow(new RegExp(`matrix\\.json: schemaVersion is 0, this lab reads matrix results of schemaVersion ${MATRIX_RESULT_SCHEMA_VERSION}`));
      writeFileSync(join(dir, 'matrix.json'), JSON.stringify(matrix(null)));
      expect(readMatrix(dir).cells).toHaveLength(6);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
