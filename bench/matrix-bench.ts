/**
 * `npm run bench -- matrix`: the full matrix at --repeat 1 with 1 and 2 workers: wall time,
 * cells per minute, peak memory, and the CPU every process of it used (the machine's two cores
 * bound the wall time, so CPU-s per cell says what a quiet machine could reach).
 */
import { loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import { NetnsBackend } from '../lab/backends/netns/netns-backend.js';
import { MATRIX_PRESETS } from '../lab/matrix/compose.js';
import { runMatrix } from '../lab/matrix/run-matrix.js';
import { samplePeak } from './memory.js';

export interface MatrixBenchRow {
  workers: number;
  /** Cells on one worker shared a reaper (and went without an unused lab DNS); false: --no-reuse. */
  reuse: boolean;
  cells: number;
  passed: number;
  wallS: number;
  peakMemoryMb: number;
  cellsPerMinute: number;
  /** CPU of this process and every process it started and waited for (peers, services, coturn, scripts). */
  cpuS: number;
  cpuSPerCell: number;
  /** 1-minute load average before and after: other work on the machine shows here. */
  load: [number, number];
}

/** utime + stime of this process and of its waited-for children, in seconds (/proc/self/stat). */
function treeCpuS(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14-17 (utime, stime, cutime, cstime) are at 11-14 after the comm.
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
}

export async function benchMatrix(presets = MATRIX_PRESETS, log: (s: string) => void = () => {}, workerCounts = [1, 2], reuse = true): Promise<MatrixBenchRow[]> {
  const backend = new NetnsBackend();
  await backend.checkAvailable();
  const rows: MatrixBenchRow[] = [];
  for (const workers of workerCounts) {
    const stop = samplePeak();
    const load0 = loadavg()[0];
    const cpu0 = treeCpuS();
    const m = await runMatrix(backend, { presets, policy: 'all', viewerKind: 'werift' as const, signaling: 'lab', repeat: 1, retries: 0, minPassRate: 1, workers, shard: null, expectations: { expect: {}, cells: [] }, timeoutMs: 15_000, reuse });
    const cpuS = Math.round((treeCpuS() - cpu0) * 10) / 10;
    const row: MatrixBenchRow = {
      workers,
      reuse,
      cells: m.cells.length,
      passed: m.cells.filter((c) => c.status !== 'failed').length,
      wallS: Math.round(m.wallMs / 100) / 10,
      peakMemoryMb: stop(),
      cellsPerMinute: Math.round((m.cells.length / (m.wallMs / 60_000)) * 10) / 10,
      cpuS,
      cpuSPerCell: Math.round((cpuS / m.cells.length) * 100) / 100,
      load: [Math.round(load0 * 10) / 10, Math.round(loadavg()[0] * 10) / 10],
    };
    rows.push(row);
    log(
      `${presets.length} presets, ${row.cells} cells, ${workers} worker(s)${reuse ? '' : ', --no-reuse'}: ${row.wallS} s wall, ${row.cellsPerMinute} cells/min, ${row.passed}/${row.cells} passed, ` +
        `peak memory ${row.peakMemoryMb} MB (lab process + every process it started in lab namespaces), CPU ${row.cpuS} s (${row.cpuSPerCell} s a cell), load ${row.load[0]} -> ${row.load[1]}`,
    );
    for (const c of m.cells.filter((x) => x.status === 'failed')) log(`  failed: ${c.viewer} x ${c.camera}: ${c.attempts.map((a) => a.failure).join('; ')}`);
  }
  return rows;
}
