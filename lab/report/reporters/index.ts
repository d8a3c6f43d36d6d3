/** Built-in reporters by name, from config tuples or --reporter names; your own objects pass through. */
import { isReporterObject, REPORTER_NAMES, type ReporterDescription } from '../../config/config.js';
import { LabError } from '../../model/errors.js';
import type { Reporter, ReporterFailure } from '../reporter.js';
import { ReporterMux } from '../reporter.js';
import { fileReporter } from './files.js';
import { githubReporter } from './github.js';
import { processIo, type ReporterIo } from './io.js';
import { listReporter } from './list.js';

export type ReporterSpec = ReporterDescription | Reporter;

export function builtInReporter([name, opts = {}]: ReporterDescription, io: ReporterIo): Reporter {
  switch (name) {
    case 'list':
      return listReporter(io, opts);
    case 'json':
    case 'junit':
    case 'markdown':
    case 'html':
      return fileReporter(name, io, opts);
    case 'github':
      return githubReporter(io, opts);
    default:
      throw new LabError('usage', `unknown reporter "${name}" (known: ${REPORTER_NAMES.join(', ')})`);
  }
}

export function createReporters(specs: ReporterSpec[], opts: { io?: ReporterIo; onFailure?: (f: ReporterFailure) => void } = {}): ReporterMux {
  const io = opts.io ?? processIo();
  const named = specs.map((spec, i) => (isReporterObject(spec) ? { name: `reporters[${i}]`, reporter: spec } : { name: spec[0], reporter: builtInReporter(spec as ReporterDescription, io) }));
  return new ReporterMux(named, opts.onFailure);
}

/** `--reporter list,junit`: names only (options come from the config). */
export function parseReporterFlag(value: string): ReporterDescription[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((name) => {
      if (!(REPORTER_NAMES as readonly string[]).includes(name)) throw new LabError('usage', `--reporter: unknown reporter "${name}" (known: ${REPORTER_NAMES.join(', ')})`);
      return [name as ReporterDescription[0]];
    });
}
