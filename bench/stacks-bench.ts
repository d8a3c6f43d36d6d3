/**
 * `npm run bench -- stacks [viewer/camera ...] [--runs N] [--nats a,b]`: the stack axis soak. Every
 * stack pair (default: all that share a codec) over the 15 cells of the stack presets, N runs per
 * cell (default 10): how often each pair reached the class RFC 4787 predicts, per cell. Every run
 * that did not is diagnosed on one line: each side's selected pair and where each direction settled
 * on the wire; so is every run the wire judged against a peer's own pair, and their count is printed.
 * `npm run bench -- stacks chromium/werift --nats port-restricted-cone`: issue 15's cell.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetnsBackend } from '../lab/backends/netns/netns-backend.js';
import { STACK_PAIRS, STACK_PRESETS, runMatrix } from '../lab/matrix/run-matrix.js';
import { stacksReport, stacksText, type StacksReport } from '../lab/matrix/stacks-report.js';
import { diagnoseRun, overruledByWire, reachedPrediction } from '../lab/matrix/run-diagnosis.js';
import type { RunResult } from '../lab/model/run-result.js';
import { monotonicMs } from '../lab/util/clock.js';

export async function benchStacks(runs: number, pairs: string[] | undefined, presets = STACK_PRESETS, log: (s: string) => void = () => {}): Promise<StacksReport & { wallS: number }> {
  const chosen = pairs ? STACK_PAIRS.filter((p) => pairs.includes(`${p.viewer}/${p.camera}`)) : STACK_PAIRS;
  if (pairs && chosen.length !== pairs.length) throw new Error(`stack pairs are viewer/camera, one of: ${STACK_PAIRS.map((p) => `${p.viewer}/${p.camera}`).join(', ')}`);
  const backend = new NetnsBackend();
  await backend.checkAvailable();
  const t0 = monotonicMs();
  const saved = join(tmpdir(), 'webrtc-lab-stacks-bench');
  const matrices = [];
  for (const p of chosen) {
    const t = monotonicMs();
    let switched = 0;
    let overruled = 0;
    const onRun = (cell: string, r: RunResult, a: { repeat: number }) => {
      // werift peers say when they followed a later nomination (peers/lib/werift-renomination.ts).
      if (Object.values(r.events).some((list) => list.some((e) => e.event === 'x-pair-switch'))) switched++;
      if (overruledByWire(r)) {
        overruled++;
        if (reachedPrediction(r)) for (const line of diagnoseRun(r)) log(`  ${p.viewer}/${p.camera} ${cell} run ${a.repeat}, judged by the wire: ${line}`);
      }
      if (reachedPrediction(r)) return;
      for (const line of diagnoseRun(r)) log(`  ${p.viewer}/${p.camera} ${cell} run ${a.repeat}: ${line}`);
      // The whole result, events and wire included, for a closer look.
      mkdirSync(saved, { recursive: true });
      writeFileSync(join(saved, `${r.runId}.json`), JSON.stringify(r, null, 2));
      log(`    result: ${join(saved, `${r.runId}.json`)}`);
    };
    const m = await runMatrix(backend, { presets, policy: 'all', signaling: 'lab', viewerKind: p.viewer, cameraStack: p.camera, repeat: runs, retries: 0, minPassRate: 1, workers: 2, shard: null, expectations: { expect: {}, cells: [] }, timeoutMs: 30_000, onRun });
    matrices.push(m);
    log(`${p.viewer} viewer x ${p.camera} camera: ${m.cells.length} cells x ${runs} runs in ${Math.round((monotonicMs() - t) / 1000)} s; the wire overruled a peer's own pair in ${overruled} run(s)${p.viewer === 'werift' || p.camera === 'werift' ? `; a werift peer followed a later nomination in ${switched} run(s)` : ''}`);
    for (const c of m.cells) for (const a of c.attempts.filter((x) => x.outcome === 'failed')) log(`  ${c.viewer} x ${c.camera} run ${a.repeat} failed: ${a.failure}`);
  }
  const report = stacksReport(matrices);
  log('');
  log(stacksText(report));
  return { ...report, wallS: Math.round((monotonicMs() - t0) / 1000) };
}
