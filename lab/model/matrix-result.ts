/** MatrixResult: one cell per (viewer NAT, camera NAT) pair; every reporter renders from it alone. */
import type { ImpairmentFields } from './impairment.js';
import type { ExpectationCheck, PeerReport, Percentiles, RunResult, SessionResult } from './run-result.js';
import type { Expectation, SignalingProtocol } from './scenario.js';

/** 2: a cell holds its aggregate and one run's summary (`run`), no longer a whole RunResult. */
export const MATRIX_RESULT_SCHEMA_VERSION = 2;

export type CellStatus = 'passed' | 'flaky' | 'failed';

/** One run of a cell: every attempt is kept, retries included. */
export interface CellAttempt {
  repeat: number;
  attempt: number;
  passed: boolean;
  outcome: RunResult['outcome'];
  setupMs: number | null;
  firstFrameMs: number | null;
  /** Why it did not pass, in words. */
  failure: string | null;
}

/**
 * A cell's representative run (the passing run with the median setup time, else the last run),
 * summarized: what the reports show of one run, without its event log, network and logs (the
 * run's own report has those). Sessions keep their pairs, timeline, candidates and prediction.
 */
export interface RunSummary {
  runId: string;
  labId: string | null;
  startedAt: string;
  outcome: RunResult['outcome'];
  passed: boolean;
  expectations: ExpectationCheck[];
  /** Without the held call (call: null; matrix cells hold none). */
  sessions: SessionResult[];
  peers: Pick<PeerReport, 'name' | 'kind' | 'stack' | 'role' | 'host' | 'exitCode' | 'errors'>[];
  wallMs: number;
  /** Where the run's time went (ms from its start: network up, services ready...); absent in older results. */
  overhead?: RunResult['overhead'];
  teardown: RunResult['teardown'];
}

/** One (viewer NAT, camera NAT) pair: its aggregate over every run, and one run's summary. */
export interface MatrixCell {
  id: string;
  viewer: string;
  camera: string;
  /** What RFC 4787 predicts from the two NATs (under the matrix's ICE policy). */
  predicted: 'direct' | 'relay';
  expect: Expectation;
  status: CellStatus;
  /** The representative run's outcome. */
  outcome: RunResult['outcome'];
  /** Medians over every run. */
  setupMs: number | null;
  firstFrameMs: number | null;
  /** Repeats that passed (on any attempt) / repeats. */
  passRate: number;
  minPassRate: number;
  latency: { setupMs: Percentiles; firstFrameMs: Percentiles };
  /** Checks over all repeats: pass rate and percentile budgets. */
  cellChecks: ExpectationCheck[];
  attempts: CellAttempt[];
  run: RunSummary;
}

/** A run's result, cut to what a matrix cell keeps of it. */
export function summarizeRun(r: RunResult): RunSummary {
  return {
    runId: r.runId,
    labId: r.labId,
    startedAt: r.startedAt,
    outcome: r.outcome,
    passed: r.passed,
    expectations: r.expectations,
    sessions: r.sessions.map((s) => ({ ...s, call: null })),
    peers: r.peers.map(({ name, kind, stack, role, host, exitCode, errors }) => ({ name, kind, stack, role, host, exitCode, errors })),
    wallMs: r.overhead.wallMs,
    overhead: r.overhead,
    teardown: r.teardown,
  };
}

export interface MatrixResult {
  schemaVersion: typeof MATRIX_RESULT_SCHEMA_VERSION;
  kind: 'matrix';
  runId: string;
  startedAt: string;
  backend: string;
  /** NAT presets on each axis, in order. */
  presets: string[];
  /** What each preset is, in words (the HTML report's legend). */
  presetInfo: Record<string, string>;
  policy: 'all' | 'relay';
  viewerKind: string;
  /** Every cell's signaling (matrix --signaling); absent in results of older labs: lab. */
  signaling?: SignalingProtocol;
  /** The pi-camera's stack (absent in results from before it had one: werift). */
  cameraStack?: string;
  repeat: number;
  retries: number;
  minPassRate: number;
  workers: number;
  /**
   * Whether cells on one worker shared what they safely can (one reaper; no lab DNS process where
   * the cell's peers use addresses only): `--no-reuse` makes every cell as fresh as a scenario run.
   * Absent in older results: false.
   */
  reuse?: boolean;
  /** Which part of the full matrix this is; merged reports list every shard they came from. */
  shards: { index: number; count: number }[];
  /** Cells in the whole matrix (all shards). */
  totalCells: number;
  cells: MatrixCell[];
  passed: boolean;
  wallMs: number;
  /** matrix --impair: the profile on every cell's access links (absent: none). */
  impairProfile?: { name: string; fields: ImpairmentFields };
}

/** Every cell of a matrix, in a stable order: the upper triangle, row by row. */
export function matrixCells(presets: string[]): { id: string; viewer: string; camera: string }[] {
  const cells: { id: string; viewer: string; camera: string }[] = [];
  presets.forEach((viewer, i) => presets.slice(i).forEach((camera) => cells.push({ id: `${viewer}__${camera}`, viewer, camera })));
  return cells;
}

/** Shard i of n (1-based) takes every n-th cell: deterministic, and balanced across the grid. */
export function shardCells<T>(cells: T[], shard: { index: number; count: number }): T[] {
  return cells.filter((_, k) => k % shard.count === shard.index - 1);
}
