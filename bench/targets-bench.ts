/**
 * `npm run bench` with no suite: the speed targets of issue 16 measured in one go on this machine,
 * each against its target: the whole command against the bare script, a firewalled cell against an
 * open one plus TURN/TLS, Docker against netns (skipped, saying why, without a daemon), and the
 * 36-cell matrix on two workers.
 */
import { benchDockerWholeCommand } from './docker-bench.js';
import { benchFirewall, type FirewallBench } from './firewall-bench.js';
import { benchMatrix, type MatrixBenchRow } from './matrix-bench.js';
import { LAB_COMMANDS, benchRatio, type RatioRow } from './ratio-bench.js';

export interface Target {
  name: string;
  measured: string;
  target: string;
  met: boolean;
}

export interface TargetsBench {
  targets: Target[];
  ratio: RatioRow[];
  firewall: FirewallBench;
  docker: Awaited<ReturnType<typeof benchDockerWholeCommand>> | { skipped: string };
  matrix: MatrixBenchRow;
  /** Some run of a measurement failed (its figure then does not count). */
  failedRuns: boolean;
}

export const MATRIX_TARGET = { wallS: 30, peakMemoryMb: 1024 };

/** Pure: the measurements against the targets. */
export function judgeTargets(m: Omit<TargetsBench, 'targets' | 'failedRuns'>): Target[] {
  const targets: Target[] = m.ratio.map((r) => ({
    name: `${r.command} / ${r.bareCommand}`,
    measured: `${r.ratio.toFixed(2)} (${r.medianMs} vs ${r.bareMedianMs} ms)`,
    target: '<= 1.00',
    met: r.ratio <= 1 && r.passed === r.runs && r.barePassed === r.bareRuns,
  }));
  targets.push({
    name: 'firewalled / open + TURN/TLS (setup)',
    measured: `${m.firewall.ratio.toFixed(2)} (${m.firewall.setupMs.firewalled} vs ${m.firewall.setupMs.openRelayTls} ms)`,
    target: '<= 1.00',
    met: m.firewall.ratio <= 1 && m.firewall.passed === m.firewall.runs * 2,
  });
  if ('skipped' in m.docker) targets.push({ name: 'docker / netns, whole command', measured: `not measured: ${m.docker.skipped}`, target: '<= 3x', met: false });
  else targets.push({ name: 'docker / netns, whole command', measured: `${m.docker.ratio.toFixed(2)}x (${m.docker.docker} vs ${m.docker.netns} ms)`, target: '<= 3x', met: m.docker.ratio <= 3 && m.docker.passed === m.docker.runs * 2 });
  const x = m.matrix;
  targets.push({
    name: `matrix --workers ${x.workers}, ${x.cells} cells`,
    measured: `${x.wallS} s, ${x.passed}/${x.cells} passed, ${x.cellsPerMinute} cells/min, peak ${x.peakMemoryMb} MB`,
    target: `<= ${MATRIX_TARGET.wallS} s, all passing, < ${MATRIX_TARGET.peakMemoryMb} MB`,
    met: x.wallS <= MATRIX_TARGET.wallS && x.passed === x.cells && x.peakMemoryMb < MATRIX_TARGET.peakMemoryMb,
  });
  return targets;
}

export function targetsTable(targets: Target[]): string {
  const w = Math.max(...targets.map((t) => t.name.length));
  const mw = Math.max(...targets.map((t) => t.measured.length));
  return targets.map((t) => `  ${t.met ? 'met   ' : 'MISSED'}  ${t.name.padEnd(w)}  ${t.measured.padEnd(mw)}  target ${t.target}`).join('\n');
}

export async function benchTargets(runs: number, log: (s: string) => void = () => {}): Promise<TargetsBench> {
  log(`1/4 whole command vs the bare script, ${runs} alternated pairs`);
  const ratio = await benchRatio(runs, LAB_COMMANDS, log);
  log(`\n2/4 firewalled vs open + TURN/TLS, ${runs} alternated pairs`);
  const firewall = await benchFirewall(runs, log);
  log(`\n3/4 docker vs netns, whole command, ${runs} alternated pairs`);
  const docker = await benchDockerWholeCommand(runs, 'port-restricted-cone', log).catch((err: Error) => {
    log(`  skipped: ${err.message}`);
    return { skipped: err.message.split('\n')[0] };
  });
  log('\n4/4 the matrix, 2 workers');
  const [matrix] = await benchMatrix(undefined, log, [2]);
  const measured = { ratio: ratio.rows, firewall, docker, matrix };
  const targets = judgeTargets(measured);
  log(`\nissue 16 targets on this machine:\n${targetsTable(targets)}`);
  const failedRuns = ratio.rows.some((r) => r.passed < r.runs || r.barePassed < r.bareRuns) || firewall.passed < runs * 2 || ('passed' in docker && docker.passed < runs * 2) || matrix.passed < matrix.cells;
  return { targets, failedRuns, ...measured };
}
