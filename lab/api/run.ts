/**
 * A scenario run as the CLI and the API both do it: once or repeated, its captures in the report
 * folder, every run and the end fed to the reporters, the report folder written.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Backend } from '../backends/backend.js';
import { LabError } from '../model/errors.js';
import type { RunResult } from '../model/run-result.js';
import type { Scenario } from '../model/scenario.js';
import { explainRun } from '../report/explain.js';
import type { ReporterMux } from '../report/reporter.js';
import { writeRunReport } from '../report/write-report.js';
import { repeatedRunResult, runRepeated, type RepeatOptions } from '../run/repeat.js';
import { newRunId, runScenario } from '../run/run-scenario.js';

export interface RunSettings {
  /** null: one run. */
  repeat: RepeatOptions | null;
  /** A pcap per router interface, in the report folder (capture/, or capture-r<i>a<j>/ per run when repeated). */
  capture: boolean;
  /** Also write explain.txt (the run walked through step by step) into the report folder. */
  explain: boolean;
  /** Parent of the report folder; null: write no report folder. */
  reportsDir: string | null;
  signal?: AbortSignal;
}

export interface RunOutcome {
  result: RunResult;
  reportDir: string | null;
}

export async function runWithReports(scenario: Scenario, backend: Backend, settings: RunSettings, reporters: ReporterMux, runOne: typeof runScenario = runScenario): Promise<RunOutcome> {
  settings.signal?.throwIfAborted();
  const runId = newRunId();
  const reportDir = settings.reportsDir ? join(settings.reportsDir, runId) : null;
  if (settings.capture && !reportDir) throw new LabError('usage', 'capture needs a report folder to write the pcaps to', 'give reportsDir, or leave capture off');
  const captureDir = (tag: string) => (settings.capture && reportDir ? join(reportDir, tag) : undefined);
  await reporters.begin({ kind: 'run', name: scenario.name, runId, backend: backend.name, planned: settings.repeat?.repeat ?? 1 });
  const progress = (prefix: string) => (reporters.wantsProgress ? (line: string) => reporters.progress(`${prefix}${line}`) : undefined);

  let result: RunResult;
  const { repeat } = settings;
  if (!repeat) {
    result = await runOne(scenario, backend, { runId, onProgress: progress(''), captureDir: captureDir('capture'), signal: settings.signal });
    await reporters.runEnd(result, { repeat: 1, attempt: 1 });
  } else {
    const r = await runRepeated(
      scenario,
      backend,
      repeat,
      (a) => ({ onProgress: progress(`[run ${a.repeat}${a.attempt > 1 ? ` retry ${a.attempt - 1}` : ''}] `), captureDir: captureDir(`capture-r${a.repeat}a${a.attempt}`), signal: settings.signal }),
      async (run, a) => {
        reporters.progress(`run ${a.repeat}${a.attempt > 1 ? ` (retry ${a.attempt - 1})` : ''}: ${run.outcome}${run.passed ? '' : ` FAILED: ${a.failure}`}, setup ${run.setupMs ?? '—'} ms`);
        await reporters.runEnd(run, { repeat: a.repeat, attempt: a.attempt });
      },
      runOne,
    );
    result = repeatedRunResult(runId, repeat, r);
  }
  if (reportDir) {
    writeRunReport(result, reportDir);
    if (settings.explain) writeFileSync(join(reportDir, 'explain.txt'), explainRun(result) + '\n');
  }
  await reporters.end({ kind: 'run', result, reportDir });
  return { result, reportDir };
}
