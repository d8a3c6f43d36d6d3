/** reports/<run-id>/: the result as JSON, the summary as text, and each process's log. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { MatrixResult } from '../model/matrix-result.js';
import type { RunResult } from '../model/run-result.js';
import { matrixHtml, runHtml } from './html.js';
import { matrixJunit, runJunit } from './junit.js';
import { matrixMarkdown, matrixSummary } from './matrix-text.js';
import { runMarkdown, runSummary } from './terminal.js';

/**
 * Where report folders go: $WEBRTC_LAB_REPORTS_DIR, else the config's reportsDir, else ./reports of
 * the current folder (never inside the installed package).
 */
export function reportsRoot(configured?: string): string {
  return resolve(process.env.WEBRTC_LAB_REPORTS_DIR ?? configured ?? 'reports');
}

export function writeRunReport(result: RunResult, dir = join(reportsRoot(), result.runId)): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'result.json'), JSON.stringify(result, null, 2) + '\n');
  writeFileSync(join(dir, 'summary.txt'), runSummary(result) + '\n');
  writeFileSync(join(dir, 'summary.md'), runMarkdown(result));
  writeFileSync(join(dir, 'junit.xml'), runJunit(result));
  writeFileSync(join(dir, 'index.html'), runHtml(result));
  return dir;
}

/** The report layout of a matrix (documented in the README): one file per format. */
export const MATRIX_FILES = { json: 'matrix.json', text: 'summary.txt', markdown: 'summary.md', junit: 'junit.xml', html: 'index.html' } as const;

export function writeMatrixReport(m: MatrixResult, dir = join(reportsRoot(), m.runId)): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, MATRIX_FILES.json), JSON.stringify(m, null, 2) + '\n');
  writeFileSync(join(dir, MATRIX_FILES.text), matrixSummary(m) + '\n');
  writeFileSync(join(dir, MATRIX_FILES.markdown), matrixMarkdown(m));
  writeFileSync(join(dir, MATRIX_FILES.junit), matrixJunit(m));
  writeFileSync(join(dir, MATRIX_FILES.html), matrixHtml(m));
  return dir;
}
