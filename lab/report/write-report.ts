/** reports/<run-id>/: the result as JSON, the summary as text, and each process's log. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunResult } from '../model/run-result.js';
import { projectPath } from '../util/paths.js';
import { runSummary } from './terminal.js';

export function reportsRoot(): string {
  return process.env.WEBRTC_LAB_REPORTS_DIR ?? projectPath('reports');
}

export function writeRunReport(result: RunResult, dir = join(reportsRoot(), result.runId)): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'result.json'), JSON.stringify(result, null, 2) + '\n');
  writeFileSync(join(dir, 'summary.txt'), runSummary(result) + '\n');
  return dir;
}
