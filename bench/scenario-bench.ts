/**
 * `npm run bench -- scenarios`: per scenario, where the wall time goes (lab overhead vs the peers'
 * own setup) and peak memory of each peer process and of the lab's own process; plus the whole
 * `npm run lab -- <scenario>` command as a user runs it.
 */
import { spawnSync } from 'node:child_process';
import { NetnsBackend } from '../lab/backends/netns/netns-backend.js';
import { listScenarios, loadScenario } from '../lab/model/scenario.js';
import { runScenario } from '../lab/run/run-scenario.js';
import { monotonicMs } from '../lab/util/clock.js';
import { projectRoot } from '../lab/util/paths.js';
import { median } from '../lab/util/stats.js';

export interface ScenarioBenchRow {
  scenario: string;
  runs: number;
  passed: number;
  wallMs: number;
  labUpMs: number;
  peersStartedMs: number | null;
  servicesReadyMs: number;
  setupMs: number | null;
  firstFrameMs: number | null;
  teardownMs: number;
  peakPeerRssMb: number | null;
}

const med = (xs: (number | null)[]) => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? Math.round(median(v)) : null;
};

export async function benchScenarios(runs: number, names = listScenarios(), log: (s: string) => void = () => {}): Promise<{ rows: ScenarioBenchRow[]; labRssMb: number; commands: { command: string; wallMs: number }[] }> {
  const backend = new NetnsBackend();
  await backend.checkAvailable();
  const rows: ScenarioBenchRow[] = [];
  log('scenario                 pass  wall  = network up | peers loaded | services ready | offer->first frame | teardown   peer RSS');
  for (const name of names) {
    const results = [];
    for (let i = 0; i < runs; i++) results.push(await runScenario(loadScenario(name), backend));
    const row: ScenarioBenchRow = {
      scenario: name,
      runs,
      passed: results.filter((r) => r.passed).length,
      wallMs: med(results.map((r) => r.overhead.wallMs))!,
      labUpMs: med(results.map((r) => r.overhead.labUpMs))!,
      peersStartedMs: med(results.map((r) => r.overhead.peersStartedMs)),
      servicesReadyMs: med(results.map((r) => r.overhead.servicesReadyMs))!,
      setupMs: med(results.map((r) => r.summary.setupMs.p50)),
      firstFrameMs: med(results.map((r) => r.summary.firstFrameMs.p50)),
      teardownMs: med(results.map((r) => r.overhead.teardownMs))!,
      peakPeerRssMb: Math.max(...results.flatMap((r) => r.peers.map((p) => p.peakRssMb ?? 0))) || null,
    };
    rows.push(row);
    log(
      `${name.padEnd(24)} ${`${row.passed}/${runs}`.padStart(4)} ${String(row.wallMs).padStart(5)} = ${String(row.labUpMs).padStart(10)} | ${String(row.peersStartedMs).padStart(12)} | ${String(row.servicesReadyMs).padStart(14)} | ${String(row.firstFrameMs).padStart(18)} | ${String(row.teardownMs).padStart(8)}   ${row.peakPeerRssMb} MB`,
    );
  }
  const labRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  log(`lab process peak RSS: ${labRssMb} MB`);

  // The whole command, as typed: npm, Node start-up, the run, reports.
  const commands: { command: string; wallMs: number }[] = [];
  for (const scenario of ['port-restricted-cone', 'symmetric-nat'].filter((s) => names.includes(s))) {
    const walls: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = monotonicMs();
      spawnSync('npm', ['run', '-s', 'lab', '--', scenario, '--json'], { cwd: projectRoot, stdio: 'ignore' });
      walls.push(monotonicMs() - t);
    }
    const command = `npm run lab -- ${scenario}`;
    commands.push({ command, wallMs: Math.round(median(walls)) });
    log(`${command.padEnd(40)} ${Math.round(median(walls))} ms wall (median of ${runs})`);
  }
  return { rows, labRssMb, commands };
}
