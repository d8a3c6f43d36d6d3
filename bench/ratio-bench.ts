/**
 * `npm run bench -- ratio`: the whole lab command against the bare reference (bench/bare-reference.mjs),
 * run one after the other (lab, bare, lab, bare, ...) so both see the same machine load; the ratio
 * is taken pair by pair, and its median reported with the medians of each.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { monotonicMs } from '../lab/util/clock.js';
import { projectPath, projectRoot } from '../lab/util/paths.js';
import { median } from '../lab/util/stats.js';

export interface RatioCommand {
  label: string;
  argv: string[];
  /** The bare reference invoked the same way (node for node, npm for npm): like with like. */
  bare: { label: string; argv: string[] };
}

export interface RatioRow {
  command: string;
  bareCommand: string;
  runs: number;
  passed: number;
  medianMs: number;
  bareMedianMs: number;
  bareRuns: number;
  barePassed: number;
  /** Median of the per-pair ratios command / bare. */
  ratio: number;
  ratios: number[];
}

export const BARE_REFERENCE = [process.execPath, projectPath('bench', 'bare-reference.mjs')];
const BARE_NODE = { label: 'node bench/bare-reference.mjs', argv: BARE_REFERENCE };
/** package.json "bench:bare": npm's own start-up (~0.3 s) is then on both sides. */
const BARE_NPM = { label: 'npm run bench:bare', argv: ['npm', 'run', '-s', 'bench:bare'] };

/**
 * The lab commands compared: straight through the bin (what `npx webrtc-lab` execs) against the
 * bare script run by node, and through npm against the bare script run by npm.
 */
export const LAB_COMMANDS: RatioCommand[] = [
  { label: 'webrtc-lab run port-restricted-cone', argv: [process.execPath, projectPath('bin', 'lab.mjs'), 'run', 'port-restricted-cone', '--json'], bare: BARE_NODE },
  { label: 'npm run lab -- port-restricted-cone', argv: ['npm', 'run', '-s', 'lab', '--', 'port-restricted-cone', '--json'], bare: BARE_NPM },
];

function timed(argv: string[]): { ms: number; ok: boolean } {
  const t = monotonicMs();
  const r = spawnSync(argv[0], argv.slice(1), { cwd: projectRoot, stdio: 'ignore' });
  return { ms: monotonicMs() - t, ok: r.status === 0 };
}

export async function benchRatio(runs: number, commands = LAB_COMMANDS, log: (s: string) => void = () => {}): Promise<{ rows: RatioRow[]; loadBefore: number[]; loadAfter: number[] }> {
  const loadBefore = loadavg();
  log(`load average before: ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);
  // One warm-up of each: the page cache and the bundles' first load are not what is compared.
  timed(BARE_REFERENCE);
  const rows: RatioRow[] = [];
  for (const c of commands) {
    timed(c.argv);
    timed(c.bare.argv);
    const lab: { ms: number; ok: boolean }[] = [];
    const bare: { ms: number; ok: boolean }[] = [];
    for (let i = 0; i < runs; i++) {
      lab.push(timed(c.argv));
      bare.push(timed(c.bare.argv));
    }
    const ratios = lab.map((l, i) => Math.round((l.ms / bare[i].ms) * 100) / 100);
    const row: RatioRow = {
      command: c.label,
      bareCommand: c.bare.label,
      runs,
      passed: lab.filter((r) => r.ok).length,
      medianMs: Math.round(median(lab.map((r) => r.ms))),
      bareRuns: runs,
      barePassed: bare.filter((r) => r.ok).length,
      bareMedianMs: Math.round(median(bare.map((r) => r.ms))),
      ratio: Math.round(median(ratios) * 100) / 100,
      ratios,
    };
    rows.push(row);
    log(`${c.label.padEnd(38)} ${String(row.medianMs).padStart(5)} ms (${row.passed}/${runs} passed)  ${c.bare.label} ${String(row.bareMedianMs).padStart(5)} ms (${row.barePassed}/${runs})  ratio ${row.ratio.toFixed(2)} (pairs: ${ratios.map((r) => r.toFixed(2)).join(' ')})`);
  }
  const loadAfter = loadavg();
  log(`load average after: ${loadAfter.map((l) => l.toFixed(2)).join(' ')}`);
  return { rows, loadBefore, loadAfter };
}
