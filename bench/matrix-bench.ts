/** `npm run bench -- matrix`: the full matrix at --repeat 1 with 1 and 2 workers: wall time, peak memory. */
import { NetnsBackend } from '../lab/backends/netns/netns-backend.js';
import { MATRIX_PRESETS } from '../lab/matrix/compose.js';
import { runMatrix } from '../lab/matrix/run-matrix.js';
import { samplePeak } from './memory.js';

export interface MatrixBenchRow {
  workers: number;
  cells: number;
  passed: number;
  wallS: number;
  peakMemoryMb: number;
  cellsPerMinute: number;
}

export async function benchMatrix(presets = MATRIX_PRESETS, log: (s: string) => void = () => {}, workerCounts = [1, 2]): Promise<MatrixBenchRow[]> {
  const backend = new NetnsBackend();
  await backend.checkAvailable();
  const rows: MatrixBenchRow[] = [];
  for (const workers of workerCounts) {
    const stop = samplePeak();
    const m = await runMatrix(backend, { presets, policy: 'all', viewerKind: 'werift' as const, signaling: 'lab', repeat: 1, retries: 0, minPassRate: 1, workers, shard: null, expectations: { expect: {}, cells: [] }, timeoutMs: 15_000 });
    const row = { workers, cells: m.cells.length, passed: m.cells.filter((c) => c.status !== 'failed').length, wallS: Math.round(m.wallMs / 100) / 10, peakMemoryMb: stop(), cellsPerMinute: Math.round((m.cells.length / (m.wallMs / 60_000)) * 10) / 10 };
    rows.push(row);
    log(`${presets.length} presets, ${row.cells} cells, ${workers} worker(s): ${row.wallS} s wall (${row.cellsPerMinute} cells/min), ${row.passed}/${row.cells} passed, peak memory ${row.peakMemoryMb} MB (lab process + every process it started in lab namespaces)`);
    for (const c of m.cells.filter((x) => x.status === 'failed')) log(`  failed: ${c.viewer} x ${c.camera}: ${c.attempts.map((a) => a.failure).join('; ')}`);
  }
  return rows;
}
