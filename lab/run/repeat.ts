/**
 * A scenario run `repeat` times, each failed run retried up to `retries` times: pass rate and
 * latency percentiles over all of them; every attempt is recorded, retries are never hidden.
 */
import type { Backend } from '../backends/backend.js';
import type { CellAttempt, CellStatus } from '../model/matrix-result.js';
import type { ExpectationCheck, Percentiles, RunResult } from '../model/run-result.js';
import { percentiles } from '../model/run-result.js';
import type { Expectation, Scenario } from '../model/scenario.js';
import { round } from '../util/clock.js';
import { median } from '../util/stats.js';
import { checkExpectations } from './expectations.js';
import { runScenario, type RunOptions } from './run-scenario.js';

export interface RepeatOptions {
  repeat: number;
  retries: number;
  minPassRate: number;
}

export interface RepeatedResult {
  /** The passing run with the median setup time, else the last run. */
  representative: RunResult;
  runs: RunResult[];
  attempts: CellAttempt[];
  passRate: number;
  /** Over all repeats: pass rate and percentile budgets. */
  checks: ExpectationCheck[];
  status: CellStatus;
  latency: { setupMs: Percentiles; firstFrameMs: Percentiles };
  setupMsMedian: number | null;
  firstFrameMsMedian: number | null;
}

/** Percentile budgets are judged over all repeats, not run by run. */
export function perRunExpectation(expect: Expectation): Expectation {
  const strip = (b: Expectation['setupMs']) => (b?.max !== undefined ? { max: b.max } : undefined);
  return { ...expect, setupMs: strip(expect.setupMs), firstFrameMs: strip(expect.firstFrameMs) };
}

function percentileBudgets(expect: Expectation): Expectation {
  const pick = (b: Expectation['setupMs']) => (b && (b.p50 !== undefined || b.p95 !== undefined) ? { p50: b.p50, p95: b.p95 } : undefined);
  return { setupMs: pick(expect.setupMs), firstFrameMs: pick(expect.firstFrameMs) };
}

/** Which run of a repeated scenario: repeat i of N, attempt j (1 + retries at most). */
export interface AttemptInfo {
  repeat: number;
  attempt: number;
}

/**
 * `runOpts` may differ per attempt (each capture in its own folder, progress lines tagged with the
 * run); `runOne` is runScenario except in tests.
 */
export async function runRepeated(
  scenario: Scenario,
  backend: Backend,
  opts: RepeatOptions,
  runOpts: RunOptions | ((a: AttemptInfo) => RunOptions) = {},
  onRun?: (r: RunResult, a: CellAttempt) => void | Promise<void>,
  runOne: typeof runScenario = runScenario,
): Promise<RepeatedResult> {
  const each = { ...scenario, expect: perRunExpectation(scenario.expect) };
  const attempts: CellAttempt[] = [];
  const runs: RunResult[] = [];
  let passedRepeats = 0;
  for (let repeat = 1; repeat <= opts.repeat; repeat++) {
    for (let attempt = 1; attempt <= 1 + opts.retries; attempt++) {
      const options = typeof runOpts === 'function' ? runOpts({ repeat, attempt }) : runOpts;
      options.signal?.throwIfAborted();
      const r = await runOne(each, backend, options);
      runs.push(r);
      const a: CellAttempt = {
        repeat,
        attempt,
        passed: r.passed,
        outcome: r.outcome,
        setupMs: r.setupMs,
        firstFrameMs: r.firstFrameMs,
        // An inconclusive run says so first: the cell still counts it as not passed (a gate stays strict).
        failure: r.passed ? null : [r.verdict === 'inconclusive' ? `INCONCLUSIVE (${(r.inconclusive ?? []).join('; ')})` : null, r.sessions.find((s) => s.failure)?.failure, ...r.expectations.filter((c) => !c.ok).map((c) => `${c.name}: expected ${c.expected}, got ${c.actual}`)].filter(Boolean).join('; '),
      };
      attempts.push(a);
      await onRun?.(r, a);
      if (r.passed) {
        passedRepeats++;
        break;
      }
    }
  }
  const passRate = passedRepeats / opts.repeat;
  const sessions = runs.flatMap((r) => r.sessions);
  const checks: ExpectationCheck[] = [
    { name: 'passRate', session: null, expected: `>= ${opts.minPassRate}`, actual: `${passedRepeats}/${opts.repeat}`, ok: passRate >= opts.minPassRate },
    ...checkExpectations(percentileBudgets(scenario.expect), sessions.filter((s) => s.outcome !== 'failed')),
  ];
  const passing = runs.filter((r) => r.passed).sort((a, b) => (a.setupMs ?? 0) - (b.setupMs ?? 0));
  const medianOf = (xs: (number | null)[]) => {
    const v = xs.filter((x): x is number => x !== null);
    return v.length ? round(median(v)) : null;
  };
  const ok = checks.every((c) => c.ok);
  return {
    representative: passing.length ? passing[Math.floor((passing.length - 1) / 2)] : runs[runs.length - 1],
    runs,
    attempts,
    passRate,
    checks,
    status: !ok ? 'failed' : attempts.some((a) => a.attempt > 1) ? 'flaky' : 'passed',
    latency: { setupMs: percentiles(sessions.map((s) => s.setupMs)), firstFrameMs: percentiles(sessions.map((s) => s.firstFrameMs)) },
    setupMsMedian: medianOf(runs.map((r) => r.setupMs)),
    firstFrameMsMedian: medianOf(runs.map((r) => r.firstFrameMs)),
  };
}

/**
 * The RunResult of a repeated scenario: the representative run's fields under the report's own
 * run id, the captures of every attempt, and the checks over all of them.
 */
export function repeatedRunResult(runId: string, opts: RepeatOptions, r: RepeatedResult): RunResult {
  const passed = r.checks.every((c) => c.ok);
  // Inconclusive only when every run that failed was: one clear failure is an answer.
  const failedRuns = r.runs.filter((run) => !run.passed);
  const inconclusive = !passed && failedRuns.length > 0 && failedRuns.every((run) => run.verdict === 'inconclusive') ? [...new Set(failedRuns.flatMap((run) => run.inconclusive ?? []))] : null;
  return {
    ...r.representative,
    runId,
    passed,
    verdict: passed ? 'passed' : inconclusive ? 'inconclusive' : 'failed',
    inconclusive,
    captures: r.runs.flatMap((run) => run.captures),
    repeat: { runs: opts.repeat, passRate: r.passRate, status: r.status, attempts: r.attempts, checks: r.checks, latency: r.latency },
  };
}
