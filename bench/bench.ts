/** `npm run bench -- <suite> [--runs N] [--json]`: measured figures for this machine. */
import { cpus, release, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { benchScenarios } from './scenario-bench.js';
import { benchTopologies } from './topology-bench.js';

const SUITES: Record<string, string> = {
  topology: 'bring-up and teardown time per topology preset (netns)',
  scenarios: 'per scenario: lab overhead vs peer setup, peak memory; the whole npm command',
};

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { runs: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  const suite = positionals[0];
  if (values.help || !suite || !(suite in SUITES)) {
    console.log(`Usage: npm run bench -- <suite> [<name>...] [--runs N] [--json]\n\nSuites:\n${Object.entries(SUITES).map(([k, v]) => `  ${k.padEnd(10)} ${v}`).join('\n')}`);
    return values.help ? 0 : 2;
  }
  const runs = Number(values.runs ?? (suite === 'topology' ? 7 : 3));
  const log = values.json ? () => {} : (s: string) => console.log(s);
  log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${release()}`);
  log(`median of ${runs} run(s)${suite === 'topology' ? ' after one warm-up' : ''}\n`);
  const scenarios = positionals.slice(1);
  const result = suite === 'topology' ? await benchTopologies(runs, scenarios.length ? scenarios : undefined, log) : await benchScenarios(runs, scenarios.length ? scenarios : undefined, log);
  if (values.json) console.log(JSON.stringify(result, null, 2));
  return 0;
}
