/**
 * The library behind `import { runScenario, ... } from 'webrtc-nat-lab'`: the same runs, results and
 * reports as the CLI, driven by options (then the config file, then defaults). Installs no signal
 * handlers and never exits the process: cancel with an AbortSignal, read the result.
 */
import type { Backend } from '../backends/backend.js';
import { getBackend } from '../backends/index.js';
import { needsUserNamespace } from '../backends/netns/userns.js';
import type { LabConfig } from '../config/config.js';
import { configFromData, loadConfig, type ResolvedConfig } from '../config/load-config.js';
import { chooseBackend, chooseRepeat } from '../config/resolve.js';
import { matrixCells, shardCells, type MatrixResult } from '../model/matrix-result.js';
import { LabError } from '../model/errors.js';
import type { RunResult } from '../model/run-result.js';
import { loadScenario, scenarioFromData, type Scenario, type SignalingProtocol } from '../model/scenario.js';
import { loadTopology } from '../model/topology-file.js';
import type { Topology } from '../model/topology.js';
import { MATRIX_PRESETS } from '../matrix/compose.js';
import { loadMatrixExpectations, runMatrix as runMatrixInternal, type MatrixExpectations, type ViewerStack } from '../matrix/run-matrix.js';
import type { Reporter, ReporterFailure, ReporterMux } from '../report/reporter.js';
import { createReporters, type ReporterSpec } from '../report/reporters/index.js';
import { reportsRoot, writeMatrixReport } from '../report/write-report.js';
import { verifyNat as verifyNatInternal, type VerifyNatResult } from '../verify/verify-nat.js';
import { join } from 'node:path';
import { runWithReports } from './run.js';

export interface CommonOptions {
  /** netns (default) or docker; else the config's, $WEBRTC_LAB_BACKEND, lab.config.json. */
  backend?: 'netns' | 'docker';
  /** Reporters as in the config (`[['list'], ['junit', { outputFile }]]`) or your own objects. Default: none (silent). */
  reporters?: ReporterSpec[];
  /** Shorthand for a reporter that only listens to progress lines. */
  onProgress?: (line: string) => void;
  /** Aborting tears the lab down and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Parent of the report folder (default: the config's reportsDir, else ./reports); false: write none. */
  reportsDir?: string | false;
  /** A config file to use, a config object, or false for none; default: webrtc-lab.config.* of the current folder. */
  config?: string | LabConfig | false;
  /** Told when a reporter throws (the run goes on); default: a process warning. */
  onReporterError?: (failure: ReporterFailure) => void;
}

export interface RunScenarioOptions extends CommonOptions {
  repeat?: number;
  retries?: number;
  minPassRate?: number;
  /** A pcap per router interface, in the report folder. */
  capture?: boolean;
  /** Write explain.txt (the run step by step) into the report folder; the list reporter prints it too. */
  explain?: boolean;
}

export interface RunMatrixOptions extends CommonOptions {
  /** NAT presets on both axes (default: all). */
  presets?: string[];
  policy?: 'all' | 'relay';
  viewer?: ViewerStack;
  /** How every cell's peers signal (default lab); refused when the cells' peers do not speak it. */
  signaling?: SignalingProtocol;
  /** The pi-camera's stack: werift (default) or libwebrtc. */
  cameraStack?: 'werift' | 'libwebrtc';
  repeat?: number;
  retries?: number;
  minPassRate?: number;
  workers?: number;
  shard?: { index: number; count: number } | null;
  /** Matrix expectations: a YAML file or the object; default: the config's `expect`. */
  expect?: string | MatrixExpectations;
  timeoutMs?: number;
}

export interface VerifyNatOptions {
  backend?: 'netns' | 'docker';
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
  config?: string | LabConfig | false;
}

/** A scenario by preset name, by path (from the current folder), or as an object (a loaded Scenario or scenario-file data). */
export type ScenarioInput = string | Scenario | Record<string, unknown>;

export async function runScenario(scenario: ScenarioInput, options: RunScenarioOptions = {}): Promise<RunResult> {
  options.signal?.throwIfAborted();
  const config = await configOf(options.config);
  const spec = toScenario(scenario);
  const backend = await backendOf(options.backend, config);
  const reporters = muxOf(options);
  const repeat = chooseRepeat({ repeat: options.repeat, retries: options.retries, minPassRate: options.minPassRate }, config);
  const { result } = await runWithReports(spec, backend, { repeat, capture: Boolean(options.capture), explain: Boolean(options.explain), reportsDir: reportsDirOf(options, config), signal: options.signal }, reporters);
  return result;
}

export async function runMatrix(options: RunMatrixOptions = {}): Promise<MatrixResult> {
  options.signal?.throwIfAborted();
  const config = await configOf(options.config);
  const backend = await backendOf(options.backend, config);
  const reporters = muxOf(options);
  const presets = options.presets ?? MATRIX_PRESETS;
  const shard = options.shard ?? null;
  const expect = options.expect ?? config.expect;
  const all = matrixCells(presets);
  await reporters.begin({ kind: 'matrix', name: 'nat-matrix', runId: null, backend: backend.name, planned: shard ? shardCells(all, shard).length : all.length });
  const m = await runMatrixInternal(backend, {
    presets,
    policy: options.policy ?? 'all',
    viewerKind: options.viewer ?? 'werift',
    signaling: options.signaling ?? 'lab',
    cameraStack: options.cameraStack,
    repeat: options.repeat ?? config.repeat ?? 1,
    retries: options.retries ?? config.retries ?? 0,
    minPassRate: options.minPassRate ?? config.minPassRate ?? 1,
    // A backend without concurrent labs (one that can hold one lab of an address plan at a time) runs one cell at a time.
    workers: backend.capabilities.concurrentLabs ? (options.workers ?? config.workers ?? 1) : 1,
    shard,
    expectations: typeof expect === 'string' ? loadMatrixExpectations(expect) : (expect ?? loadMatrixExpectations(null)),
    timeoutMs: options.timeoutMs ?? 15_000,
    onProgress: reporters.wantsProgress ? (l) => reporters.progress(l) : undefined,
    onCellEnd: (c) => reporters.cellEnd(c),
    signal: options.signal,
  });
  const root = reportsDirOf(options, config);
  const reportDir = root ? writeMatrixReport(m, join(root, m.runId)) : null;
  await reporters.end({ kind: 'matrix', result: m, reportDir });
  return m;
}

/** Builds the topology and checks with RFC 5780 discovery that every router behaves as declared. */
export async function verifyNat(topology: string | Topology, options: VerifyNatOptions = {}): Promise<VerifyNatResult> {
  options.signal?.throwIfAborted();
  const config = await configOf(options.config);
  const backend = await backendOf(options.backend, config);
  const t = typeof topology === 'string' ? loadTopology(topology) : topology;
  return verifyNatInternal(backend, t, { onStep: options.onProgress, signal: options.signal });
}

function toScenario(input: ScenarioInput): Scenario {
  if (typeof input === 'string') return loadScenario(input);
  if (isScenario(input)) return input;
  return scenarioFromData(input, '(scenario object)');
}

function isScenario(v: Record<string, unknown> | Scenario): v is Scenario {
  return typeof v === 'object' && v !== null && 'camera' in v && 'viewers' in v && 'source' in v;
}

async function configOf(config: CommonOptions['config']): Promise<ResolvedConfig> {
  if (config === false) return { file: null };
  if (typeof config === 'string') return loadConfig(config);
  if (config) return configFromData(config, join(process.cwd(), '(config object)'));
  return loadConfig();
}

async function backendOf(name: string | undefined, config: ResolvedConfig): Promise<Backend> {
  const backend = await getBackend(chooseBackend(name, config));
  if (backend.name === 'netns' && needsUserNamespace()) {
    // The CLI re-runs itself in a user namespace; a library cannot re-run its caller.
    throw new LabError('permission', 'the netns backend needs root (CAP_NET_ADMIN) in the calling process', 'run the tests as root (sudo -E npx vitest), run them in a user namespace (unshare -Urn), or use backend: "docker"');
  }
  await backend.checkAvailable();
  return backend;
}

function muxOf(options: CommonOptions): ReporterMux {
  const specs: ReporterSpec[] = [...(options.reporters ?? [])];
  if (options.onProgress) specs.push({ onProgress: options.onProgress } satisfies Reporter);
  const onFailure = options.onReporterError ?? ((f: ReporterFailure) => process.emitWarning(`reporter ${f.reporter} failed in ${f.hook}: ${f.message}`, 'WebrtcLabReporterWarning'));
  return createReporters(specs, { onFailure });
}

function reportsDirOf(options: CommonOptions, config: ResolvedConfig): string | null {
  if (options.reportsDir === false) return null;
  return reportsRoot(options.reportsDir ?? config.reportsDir);
}
