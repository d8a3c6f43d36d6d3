/** `list`: today's terminal output: progress on stderr, the summary and where the report is on stdout. */
import { explainRun } from '../explain.js';
import { matrixSummary } from '../matrix-text.js';
import type { Reporter } from '../reporter.js';
import { runSummary } from '../terminal.js';
import type { ReporterIo } from './io.js';

export function listReporter(io: ReporterIo, opts: { explain?: boolean } = {}): Reporter {
  return {
    onProgress: (line) => io.stderr(`  ${line}\n`),
    onEnd(end) {
      if (end.kind === 'run') {
        const r = end.result;
        io.stdout(`\n${runSummary(r)}\n`);
        if (opts.explain) io.stdout(`\n${explainRun(r)}\n`);
        if (end.reportDir) io.stdout(`\nreport: ${end.reportDir}/index.html (and result.json${r.captures.length ? `, ${r.captures.length} pcap files` : ''})\n`);
        return;
      }
      const m = end.result;
      io.stdout(`\n${matrixSummary(m)}\n`);
      if (m.missingCells?.length) io.stdout(`MISSING ${m.missingCells.length} cell(s): ${m.missingCells.join(', ')}\n`);
      if (end.reportDir) io.stdout(`report: ${end.reportDir}/index.html\n`);
    },
  };
}
