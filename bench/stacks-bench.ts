/**
 * `npm run bench -- stacks [viewer/camera ...] [--runs N] [--nats a,b]`: the stack axis soak. Every
 * stack pair (default: all that share a codec) over the 15 cells of the stack presets, N runs per
 * cell (default 10): how often each pair reached the class RFC 4787 predicts, per cell.
 */
import { NetnsBackend } from '../lab/backends/netns/netns-backend.js';
import { STACK_PAIRS, STACK_PRESETS, runMatrix } from '../lab/matrix/run-matrix.js';
import { stacksReport, stacksText, type StacksReport } from '../lab/matrix/stacks-report.js';
import { monotonicMs } from '../lab/util/clock.js';

export async function benchStacks(runs: number, pairs: string[] | undefined, presets = STACK_PRESETS, log: (s: string) => void = () => {}): Promise<StacksReport & { wallS: number }> {
  const chosen = pairs ? STACK_PAIRS.filter((p) => pairs.includes(`${p.viewer}/${p.camera}`)) : STACK_PAIRS;
  if (pairs && chosen.length !== pairs.length) throw new Error(`stack pairs are viewer/camera, one of: ${STACK_PAIRS.map((p) => `${p.viewer}/${p.camera}`).join(', ')}`);
  const backend = new NetnsBackend();
  await backend.checkAvailable();
  const t0 = monotonicMs();
  const matrices = [];
  for (const p of chosen) {
    const t = monotonicMs();
    const m = await runMatrix(backend, { presets, policy: 'all', signaling: 'lab', viewerKind: p.viewer, cameraStack: p.camera, repeat: runs, retries: 0, minPassRate: 1, workers: 2, shard: null, expectations: { expect: {}, cells: [] }, timeoutMs: 30_000 });
    matrices.push(m);
    log(`${p.viewer} viewer x ${p.camera} camera: ${m.cells.length} cells x ${runs} runs in ${Math.round((monotonicMs() - t) / 1000)} s`);
    for (const c of m.cells) for (const a of c.attempts.filter((x) => x.outcome === 'failed')) log(`  ${c.viewer} x ${c.camera} run ${a.repeat} failed: ${a.failure}`);
  }
  const report = stacksReport(matrices);
  log('');
  log(stacksText(report));
  return { ...report, wallS: Math.round((monotonicMs() - t0) / 1000) };
}
