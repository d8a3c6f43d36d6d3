/** Merges the reports of matrix shards (run on several CI machines) into one matrix. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LabError } from '../model/errors.js';
import type { MatrixResult } from '../model/matrix-result.js';
import { MATRIX_RESULT_SCHEMA_VERSION, matrixCells } from '../model/matrix-result.js';
import { newRunId } from '../run/run-scenario.js';
import { MATRIX_FILES } from '../report/write-report.js';

export function readMatrix(dir: string): MatrixResult {
  const file = existsSync(join(dir, MATRIX_FILES.json)) ? join(dir, MATRIX_FILES.json) : dir;
  let m: MatrixResult;
  try {
    m = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new LabError('not-found', `${dir}: no readable ${MATRIX_FILES.json} (${(err as Error).message.split('\n')[0]})`, 'give the report folders the matrix shards wrote');
  }
  if (m.kind !== 'matrix') throw new LabError('invalid-file', `${file}: not a matrix result (kind: ${m.kind ?? 'missing'})`);
  if (m.schemaVersion !== MATRIX_RESULT_SCHEMA_VERSION) {
    throw new LabError(
      'invalid-file',
      `${file}: schemaVersion is ${JSON.stringify(m.schemaVersion ?? null)}, this lab reads matrix results of schemaVersion ${MATRIX_RESULT_SCHEMA_VERSION}`,
      'run every shard and the merge with the same version of webrtc-nat-lab',
    );
  }
  return m;
}

export function mergeMatrices(parts: { source: string; matrix: MatrixResult }[]): MatrixResult & { missingCells: string[] } {
  if (!parts.length) throw new LabError('usage', 'nothing to merge');
  const first = parts[0].matrix;
  for (const { source, matrix } of parts.slice(1)) {
    for (const key of ['presets', 'policy', 'viewerKind', 'cameraStack', 'signaling', 'repeat', 'retries', 'minPassRate'] as const) {
      const [mine, theirs] = key === 'signaling' ? [matrix[key] ?? 'lab', first[key] ?? 'lab'] : key === 'cameraStack' ? [matrix[key] ?? 'werift', first[key] ?? 'werift'] : [matrix[key], first[key]];
      if (JSON.stringify(mine) !== JSON.stringify(theirs)) {
        throw new LabError('invalid-file', `${source}: ${key} is ${JSON.stringify(mine)}, but ${parts[0].source} has ${JSON.stringify(theirs)}: these are not shards of one matrix`);
      }
    }
  }
  const byId = new Map<string, { source: string; cell: MatrixResult['cells'][number] }>();
  for (const { source, matrix } of parts) {
    for (const cell of matrix.cells) {
      const seen = byId.get(cell.id);
      if (seen) throw new LabError('invalid-file', `cell ${cell.viewer} x ${cell.camera} is in both ${seen.source} and ${source}`);
      byId.set(cell.id, { source, cell });
    }
  }
  const order = matrixCells(first.presets);
  const cells = order.filter((c) => byId.has(c.id)).map((c) => byId.get(c.id)!.cell);
  const missingCells = order.filter((c) => !byId.has(c.id)).map((c) => `${c.viewer} x ${c.camera}`);
  return {
    ...first,
    runId: newRunId(),
    startedAt: parts.map((p) => p.matrix.startedAt).sort()[0],
    shards: parts.flatMap((p) => p.matrix.shards).sort((a, b) => a.index - b.index),
    cells,
    // A gate must not pass with part of the matrix missing.
    passed: missingCells.length === 0 && cells.every((c) => c.status !== 'failed'),
    wallMs: Math.max(...parts.map((p) => p.matrix.wallMs)),
    missingCells,
  };
}
