/** The reporters of a command: --json, else --reporter names (options from the config), else the config's, else list. */
import type { ResolvedConfig } from '../config/load-config.js';
import { isReporterObject, type ReporterDescription } from '../config/config.js';
import type { ReporterMux } from '../report/reporter.js';
import { createReporters, parseReporterFlag, type ReporterSpec } from '../report/reporters/index.js';

export function cliReporters(values: Record<string, unknown>, config: ResolvedConfig): ReporterMux {
  return createReporters(chooseReporters(values, config), {
    onFailure: (f) => process.stderr.write(`warning: reporter ${f.reporter} failed in ${f.hook}: ${f.message} (the run goes on)\n`),
  });
}

export function chooseReporters(values: Record<string, unknown>, config: ResolvedConfig): ReporterSpec[] {
  if (values.json) return [['json']];
  const configured = config.reporters ?? [['list']];
  let specs: ReporterSpec[] = configured;
  if (typeof values.reporter === 'string') {
    specs = parseReporterFlag(values.reporter).map(([name]) => configured.find((r): r is ReporterDescription => !isReporterObject(r) && r[0] === name) ?? [name]);
  }
  if (!values.explain) return specs;
  return specs.map((r) => (!isReporterObject(r) && r[0] === 'list' ? (['list', { ...r[1], explain: true }] as ReporterDescription) : r));
}

export const REPORTER_OPTIONS = {
  reporter: { type: 'string' as const },
  config: { type: 'string' as const },
};

export const REPORTER_HELP = [
  '  --reporter a,b,...            list, json, junit, markdown, html, github (default: the config\'s, else list)',
  '  --config <file>               the config file (default: webrtc-lab.config.{ts,mts,js,mjs,json} here)',
];
