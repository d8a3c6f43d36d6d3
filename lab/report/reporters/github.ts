/**
 * `github`: workflow commands for GitHub Actions (an ::error annotation per failed run or matrix
 * cell, ::warning per flaky one) and the Markdown summary appended to $GITHUB_STEP_SUMMARY.
 */
import type { MatrixCell } from '../../model/matrix-result.js';
import type { RunResult } from '../../model/run-result.js';
import type { Reporter, ReportEnd } from '../reporter.js';
import { render } from './files.js';
import type { ReporterIo } from './io.js';

/** Escaping of a workflow command's message (data) and of a property value such as title. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export interface Annotation {
  level: 'error' | 'warning';
  title: string;
  message: string;
}

export function annotationLine(a: Annotation): string {
  return `::${a.level} title=${escapeProperty(a.title)}::${escapeData(a.message)}`;
}

function runFailures(r: RunResult): string[] {
  const why = [
    ...r.sessions.filter((s) => s.failure).map((s) => `${s.viewer}: ${s.failure}`),
    ...r.expectations.filter((c) => !c.ok).map((c) => `${c.name}${c.session ? ` (${c.session})` : ''}: expected ${c.expected}, got ${c.actual}`),
    ...(r.repeat?.checks.filter((c) => !c.ok).map((c) => `${c.name}: expected ${c.expected}, got ${c.actual}`) ?? []),
  ];
  return why.length ? why : [`outcome ${r.outcome}`];
}

function cellFailures(c: MatrixCell): string[] {
  return [
    `expected ${c.expect.outcome} (RFC 4787 predicts ${c.predicted}), got ${c.outcome}`,
    ...c.cellChecks.filter((k) => !k.ok).map((k) => `${k.name}: expected ${k.expected}, got ${k.actual}`),
    ...c.attempts.filter((a) => !a.passed).map((a) => `run ${a.repeat} attempt ${a.attempt}: ${a.failure}`),
  ];
}

export function annotations(end: ReportEnd): Annotation[] {
  if (end.kind === 'run') {
    const r = end.result;
    if (!r.passed) return [{ level: 'error', title: `webrtc-lab ${r.scenario}`, message: runFailures(r).join('\n') }];
    if (r.repeat?.status === 'flaky') return [{ level: 'warning', title: `webrtc-lab ${r.scenario} (flaky)`, message: `passed only on retry: ${r.repeat.attempts.filter((a) => !a.passed).map((a) => a.failure).join('; ')}` }];
    return [];
  }
  const m = end.result;
  const out: Annotation[] = [];
  for (const c of m.cells) {
    if (c.status === 'failed') out.push({ level: 'error', title: `NAT matrix ${c.viewer} x ${c.camera}`, message: cellFailures(c).join('\n') });
    else if (c.status === 'flaky') out.push({ level: 'warning', title: `NAT matrix ${c.viewer} x ${c.camera} (flaky)`, message: `passed only on retry: ${c.attempts.filter((a) => !a.passed).map((a) => a.failure).join('; ')}` });
  }
  if (m.missingCells?.length) out.push({ level: 'error', title: 'NAT matrix: cells missing', message: `the shards do not cover the matrix: ${m.missingCells.join(', ')}` });
  return out;
}

export function githubReporter(io: ReporterIo, opts: { annotations?: boolean; summary?: boolean } = {}): Reporter {
  return {
    onEnd(end) {
      if (opts.annotations !== false) for (const a of annotations(end)) io.stdout(`${annotationLine(a)}\n`);
      const summaryFile = io.env.GITHUB_STEP_SUMMARY;
      if (opts.summary !== false && summaryFile) io.appendFile(summaryFile, `${render('markdown', end)}\n`);
    },
  };
}
