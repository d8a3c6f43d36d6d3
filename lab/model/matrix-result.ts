/** MatrixResult: one cell per (viewer NAT, camera NAT) pair; every reporter renders from it alone. */
import type { ExpectationCheck, Percentiles, RunResult } from './run-result.js';
import type { Expectation } from './scenario.js';

export const MATRIX_RESULT_SCHEMA_VERSION = 1;

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
 * A cell carries the fields of a single run's result (from its representative run: the passing run
 * with the median setup time, else the last run), with setupMs and firstFrameMs replaced by the
 * medians over every run, and what the matrix adds.
 */
export type MatrixCell = RunResult & {
  id: string;
  viewer: string;
  camera: string;
  /** What RFC 4787 predicts from the two NATs. */
  predicted: 'direct' | 'relay';
  expect: Expectation;
  status: CellStatus;
  /** Repeats that passed (on any attempt) / repeats. */
  passRate: number;
  minPassRate: number;
  latency: { setupMs: Percentiles; firstFrameMs: Percentiles };
  /** Checks over all repeats: pass rate and percentile budgets. */
  cellChecks: ExpectationCheck[];
  attempts: CellAttempt[];
};

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
  repeat: number;
  retries: number;
  minPassRate: number;
  workers: number;
  /** Which part of the full matrix this is; merged reports list every shard they came from. */
  shards: { index: number; count: number }[];
  /** Cells in the whole matrix (all shards). */
  totalCells: number;
  cells: MatrixCell[];
  passed: boolean;
  wallMs: number;
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
