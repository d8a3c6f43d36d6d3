import { loadImpairProfile, PROFILE_NAMES } from '../network/impair/profiles.js';
import { join } from 'node:path';
import { getBackend } from '../backends/index.js';
import { LabError } from '../model/errors.js';
import { listTopologies } from '../model/topology-file.js';
import { MATRIX_PRESETS } from '../matrix/compose.js';
import { mergeMatrices, readMatrix } from '../matrix/merge.js';
import { matrixCells, shardCells } from '../model/matrix-result.js';
import { CAMERA_STACKS, DEFAULT_CAMERA_STACK, SIGNALING_PROTOCOLS, type CameraStack, type SignalingProtocol } from '../model/scenario.js';
import { STACK_PAIRS, VIEWER_STACKS, checkMatrixSignaling, loadMatrixExpectations, runMatrix, type MatrixExpectations, type ViewerStack } from '../matrix/run-matrix.js';
import { stacksReport, stacksText } from '../matrix/stacks-report.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { newRunId } from '../run/run-scenario.js';
import { loadConfig, type ResolvedConfig } from '../config/load-config.js';
import { chooseBackend } from '../config/resolve.js';
import { reportsRoot, writeMatrixReport } from '../report/write-report.js';
import { REPORTER_HELP, REPORTER_OPTIONS, cliReporters } from './cli-reporters.js';
import { EXIT, usageError, type Command, type ParsedArgs } from './command.js';
import { rerunUnprivileged } from './privileges.js';

export const matrixCommand: Command = {
  name: 'matrix',
  summary: 'Every pair of NAT presets: viewer behind one, pi-camera behind the other; outcome, winning pair, setup time; gate on expectations.',
  usage: 'matrix [--nats a,b,...] [--policy all|relay] [--viewer werift|libwebrtc|chromium|firefox] [--camera-stack werift|libwebrtc] [--stacks all] [--signaling lab|mqtt|whep|kvs] [--repeat N] [--retries N] [--min-pass-rate R] [--workers N] [--no-reuse] [--shard i/n] [--expect file] [--json]',
  details: [
    `Presets (default all): ${MATRIX_PRESETS.join(', ')}.`,
    'Cells are the upper triangle of the grid (each unordered pair once, the diagonal included).',
    "Each cell's expected outcome is what RFC 4787 predicts (direct or relay); --expect adds latency",
    'budgets and per-cell overrides (YAML: `expect: {setupMs: {p95: 2000}}` for every cell, and',
    '`cells: [{viewer, camera, expect}]`). Exit 0 when every cell meets its expectations, 1 when not.',
    '',
    'Options:',
    '  --nats a,b,...        presets on both axes',
    '  --policy all|relay    ICE transport policy of both peers (default all)',
    '  --viewer werift|libwebrtc|chromium|firefox  the viewer stack (chromium, firefox: Debian\'s browsers)',
    '  --camera-stack werift|libwebrtc  the pi-camera\'s stack (libwebrtc: @roamhq/wrtc, as pi-webrtc; VP8)',
    `  --stacks all          every stack pair that shares a codec (${STACK_PAIRS.map((p) => `${p.viewer}/${p.camera}`).join(', ')}):`,
    '                        one matrix each, then a stacks x NATs report (stacks.txt, stacks.json)',
    '  --signaling <lab|mqtt|whep|kvs>  how every cell\'s peers signal (a scenario\'s `signaling:`, default lab);',
    '                        refused (exit 2) when the cells\' peers do not speak it (docs/protocols.md)',
    '  --repeat N            runs per cell: pass rate and latency percentiles (default 1)',
    '  --retries N           re-run a failed run up to N times; retries are recorded, the cell is "flaky"',
    '  --min-pass-rate R     share of runs that must pass, 0..1 (default 1)',
    '  --workers N           cells at once, each in its own lab (default 1)',
    '  --no-reuse            nothing shared between a worker\'s cells: each starts its own reaper and lab DNS and waits for the one before to end, as a scenario run',
    '  --shard i/n           run only shard i of n (for CI machines); combine with `merge`',
    '  --timeout MS          per run (default 15000)',
    `  --impair P            impair every cell's access links: a profile (${PROFILE_NAMES.join(', ')}) or a YAML file of impairment fields (docs/impairments.md)`,
    '  --json                print only the matrix result on stdout',
    '  -b, --backend <netns|docker>',
    ...REPORTER_HELP,
    '',
    'Flags override webrtc-lab.config.* (workers, repeat, retries, minPassRate, expect, backend, reporters).',
    'Reports: reports/<run-id>/{matrix.json,summary.txt,summary.md,junit.xml,index.html}',
  ].join('\n'),
  options: {
    nats: { type: 'string' },
    policy: { type: 'string' },
    viewer: { type: 'string' },
    signaling: { type: 'string' },
    'camera-stack': { type: 'string' },
    stacks: { type: 'string' },
    repeat: { type: 'string' },
    retries: { type: 'string' },
    'min-pass-rate': { type: 'string' },
    workers: { type: 'string' },
    'no-reuse': { type: 'boolean' },
    shard: { type: 'string' },
    expect: { type: 'string' },
    timeout: { type: 'string' },
    impair: { type: 'string' },
    json: { type: 'boolean' },
    backend: { type: 'string', short: 'b' },
    ...REPORTER_OPTIONS,
  },
  async run(args) {
    const { values, argv } = args;
    if (args.positionals.length) throw usageError(this, `unexpected argument "${args.positionals[0]}"`);
    const config = await loadConfig(values.config as string | undefined);
    const opts = matrixOptions(this, args, config);
    const backend = await getBackend(chooseBackend(values.backend as string | undefined, config));
    const rerun = await rerunUnprivileged(backend, argv);
    if (rerun !== null) return rerun;
    await backend.checkAvailable();
    if (!backend.capabilities.concurrentLabs && opts.workers > 1) {
      // A backend that holds one lab of an address plan at a time (the Backend interface allows one; both built-in backends run several).
      process.stderr.write(`note: --workers ${opts.workers} ignored on the ${backend.name} backend: it holds one lab of an address plan at a time, so cells run one after another\n`);
      opts.workers = 1;
    }
    if (values.stacks !== undefined) return runStacks(this, args, opts, backend, config);
    const reporters = cliReporters(values, config);
    const all = matrixCells(opts.presets);
    await reporters.begin({ kind: 'matrix', name: 'nat-matrix', runId: null, backend: backend.name, planned: opts.shard ? shardCells(all, opts.shard).length : all.length });
    const m = await runMatrix(backend, { ...opts, signal: args.signal, onProgress: reporters.wantsProgress ? (l) => reporters.progress(l) : undefined, onCellEnd: (c) => reporters.cellEnd(c) });
    const dir = writeMatrixReport(m, join(reportsRoot(config.reportsDir), m.runId));
    await reporters.end({ kind: 'matrix', result: m, reportDir: dir });
    return m.passed ? EXIT.ok : EXIT.failed;
  },
};

/** `--stacks all`: one matrix per stack pair (those the backend can run), then the stacks x NATs report. */
async function runStacks(cmd: Command, { values, signal }: ParsedArgs, opts: ReturnType<typeof matrixOptions>, backend: Awaited<ReturnType<typeof getBackend>>, config: ResolvedConfig): Promise<number> {
  if (values.stacks !== 'all') throw usageError(cmd, `--stacks takes "all" (got "${values.stacks}")`);
  const browsers: ViewerStack[] = ['chromium', 'firefox'];
  const pairs = STACK_PAIRS.filter((p) => backend.capabilities.browsers || !browsers.includes(p.viewer));
  const skipped = STACK_PAIRS.length - pairs.length;
  if (skipped) process.stderr.write(`note: ${skipped} browser stack pair(s) left out: the ${backend.name} backend runs no browsers\n`);
  const runId = newRunId();
  const dir = join(reportsRoot(config.reportsDir), runId);
  mkdirSync(dir, { recursive: true });
  const matrices = [];
  for (const p of pairs) {
    if (!values.json) process.stderr.write(`stacks: ${p.viewer} viewer x ${p.camera} camera\n`);
    const m = await runMatrix(backend, { ...opts, viewerKind: p.viewer, cameraStack: p.camera, signal, onProgress: values.json ? undefined : (l) => process.stderr.write(`  ${l}\n`) });
    writeMatrixReport(m, join(dir, `${p.viewer}-x-${p.camera}`));
    matrices.push(m);
  }
  const report = stacksReport(matrices);
  writeFileSync(join(dir, 'stacks.json'), JSON.stringify(report, null, 1) + '\n');
  writeFileSync(join(dir, 'stacks.txt'), stacksText(report) + '\n');
  process.stdout.write(values.json ? JSON.stringify(report) + '\n' : `${stacksText(report)}\n\nreport: ${dir}/stacks.txt (and stacks.json, one matrix folder per stack pair)\n`);
  return matrices.every((m) => m.passed) ? EXIT.ok : EXIT.failed;
}

function integer(cmd: Command, name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw usageError(cmd, `--${name} must be an integer >= ${min} (got "${value}")`);
  return n;
}

function matrixOptions(cmd: Command, { values }: ParsedArgs, config: ResolvedConfig) {
  const known = listTopologies();
  const presets = values.nats ? String(values.nats).split(',').map((s) => s.trim()).filter(Boolean) : MATRIX_PRESETS;
  for (const p of presets) if (!known.includes(p)) throw usageError(cmd, `--nats: unknown preset "${p}" (known: ${known.join(', ')})`);
  if (new Set(presets).size !== presets.length) throw usageError(cmd, '--nats lists a preset twice');
  const policy = (values.policy ?? 'all') as string;
  if (policy !== 'all' && policy !== 'relay') throw usageError(cmd, `--policy must be all or relay (got "${policy}")`);
  const viewer = (values.viewer ?? 'werift') as string;
  if (!(VIEWER_STACKS as readonly string[]).includes(viewer)) throw usageError(cmd, `--viewer must be one of ${VIEWER_STACKS.join(', ')} (got "${viewer}")`);
  const signaling = (values.signaling ?? 'lab') as string;
  if (!(SIGNALING_PROTOCOLS as readonly string[]).includes(signaling)) throw usageError(cmd, `--signaling must be one of ${SIGNALING_PROTOCOLS.join(', ')} (got "${signaling}")`);
  const cameraStack = (values['camera-stack'] ?? DEFAULT_CAMERA_STACK) as string;
  if (!(CAMERA_STACKS as readonly string[]).includes(cameraStack)) throw usageError(cmd, `--camera-stack must be one of ${CAMERA_STACKS.join(', ')} (got "${cameraStack}")`);
  if (values.stacks !== undefined && (values.viewer !== undefined || values['camera-stack'] !== undefined)) throw usageError(cmd, '--stacks all runs every stack pair: leave out --viewer and --camera-stack');
  const minPassRate = values['min-pass-rate'] === undefined ? (config.minPassRate ?? 1) : Number(values['min-pass-rate']);
  if (!(minPassRate >= 0 && minPassRate <= 1)) throw usageError(cmd, `--min-pass-rate must be between 0 and 1 (got "${values['min-pass-rate']}")`);
  let shard: { index: number; count: number } | null = null;
  if (values.shard !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(String(values.shard));
    if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) throw usageError(cmd, `--shard must be i/n with 1 <= i <= n (got "${values.shard}")`);
    shard = { index: Number(m[1]), count: Number(m[2]) };
  }
  const opts = {
    presets,
    policy: policy as 'all' | 'relay',
    viewerKind: viewer as ViewerStack,
    signaling: signaling as SignalingProtocol,
    cameraStack: cameraStack as CameraStack,
    repeat: integer(cmd, 'repeat', values.repeat, config.repeat ?? 1, 1),
    retries: integer(cmd, 'retries', values.retries, config.retries ?? 0, 0),
    minPassRate,
    workers: integer(cmd, 'workers', values.workers, config.workers ?? 1, 1),
    reuse: values['no-reuse'] !== true,
    shard,
    expectations: matrixExpectations(values.expect as string | undefined, config),
    timeoutMs: integer(cmd, 'timeout', values.timeout, 15_000, 1000),
    ...(values.impair !== undefined ? { impair: loadImpairProfile(String(values.impair)) } : {}),
  };
  // Before any backend is asked: a cell's peers that cannot speak the signaling is a usage error.
  checkMatrixSignaling(opts);
  return opts;
}

function matrixExpectations(flag: string | undefined, config: ResolvedConfig): MatrixExpectations {
  if (flag !== undefined) return loadMatrixExpectations(flag);
  if (typeof config.expect === 'string') return loadMatrixExpectations(config.expect);
  return config.expect ?? loadMatrixExpectations(null);
}

export const mergeCommand: Command = {
  name: 'merge',
  summary: 'Merge the reports of matrix shards (several CI machines) into one report and gate on it.',
  usage: 'merge <report-dir>... [--json] [--reporter a,b,...]',
  details: 'Each folder holds a matrix.json written by `matrix --shard i/n`. The shards must come from one\nmatrix (same presets, policy, viewer, repeat). Exit 1 if any cell failed or any cell is missing.',
  options: { json: { type: 'boolean' }, ...REPORTER_OPTIONS },
  async run({ values, positionals }) {
    if (!positionals.length) throw usageError(this, 'give the report folders of the shards');
    const config = await loadConfig(values.config as string | undefined);
    const merged = mergeMatrices(positionals.map((source) => ({ source, matrix: readMatrix(source) })));
    const reporters = cliReporters(values, config);
    await reporters.begin({ kind: 'merge', name: 'nat-matrix', runId: merged.runId, backend: merged.backend, planned: merged.totalCells });
    const dir = writeMatrixReport(merged, join(reportsRoot(config.reportsDir), merged.runId));
    await reporters.end({ kind: 'matrix', result: merged, reportDir: dir });
    if (merged.missingCells.length && !values.json) process.stderr.write(`error: ${new LabError('expectation', `the shards do not cover the matrix: ${merged.missingCells.length} cell(s) missing`).message}\n`);
    return merged.passed ? EXIT.ok : EXIT.failed;
  },
};
