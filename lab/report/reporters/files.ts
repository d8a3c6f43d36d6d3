/** `json`, `junit`, `markdown`, `html`: the existing formatters, to a file (outputFile) or stdout. */
import { join } from 'node:path';
import type { MatrixResult } from '../../model/matrix-result.js';
import type { RunResult } from '../../model/run-result.js';
import { matrixHtml, runHtml } from '../html.js';
import { matrixJunit, runJunit } from '../junit.js';
import { matrixMarkdown } from '../matrix-text.js';
import type { Reporter, ReportEnd } from '../reporter.js';
import { runMarkdown } from '../terminal.js';
import type { ReporterIo } from './io.js';

export type FileFormat = 'json' | 'junit' | 'markdown' | 'html';

const FORMATS: Record<FileFormat, { run: (r: RunResult) => string; matrix: (m: MatrixResult) => string }> = {
  json: { run: (r) => JSON.stringify(r, null, 2) + '\n', matrix: (m) => JSON.stringify(m, null, 2) + '\n' },
  junit: { run: runJunit, matrix: matrixJunit },
  markdown: { run: runMarkdown, matrix: matrixMarkdown },
  html: { run: runHtml, matrix: matrixHtml },
};

export function render(format: FileFormat, end: ReportEnd): string {
  return end.kind === 'run' ? FORMATS[format].run(end.result) : FORMATS[format].matrix(end.result);
}

export function fileReporter(format: FileFormat, io: ReporterIo, opts: { outputFile?: string } = {}): Reporter {
  return {
    onEnd(end) {
      if (opts.outputFile) {
        io.writeFile(opts.outputFile, render(format, end));
        io.stderr(`${format} report: ${opts.outputFile}\n`);
      } else if (format === 'html') {
        // Every report folder has its index.html already; without a file of its own, say where.
        if (end.reportDir) io.stderr(`html report: ${join(end.reportDir, 'index.html')}\n`);
      } else {
        io.stdout(render(format, end));
      }
    },
  };
}
