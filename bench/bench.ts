/** `npm run bench -- <suite> [--runs N] [--json]`: measured figures for this machine. */
import { cpus, release, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { benchDocker } from './docker-bench.js';
import { benchFirewall } from './firewall-bench.js';
import { benchImpairments } from './impair-bench.js';
import { benchMatrix } from './matrix-bench.js';
import { benchRatio } from './ratio-bench.js';
import { benchScenarios } from './scenario-bench.js';
import { benchServices } from './services-bench.js';
import { benchSoak } from './soak-bench.js';
import { benchStacks } from './stacks-bench.js';
import { benchTargets } from './targets-bench.js';
import { benchTopologies } from './topology-bench.js';

const SUITES: Record<string, string> = {
  targets: 'the default: issue 16\'s speed targets in one go (ratio, firewall, docker whole command, matrix on 2 workers), each met or MISSED',
  topology: 'bring-up and teardown time per topology preset (netns)',
  scenarios: 'per scenario: lab overhead vs peer setup, peak memory; the whole npm command',
  matrix: 'the full NAT matrix at --repeat 1 with 1 and 2 workers (--workers N: only N; --no-reuse: each cell fresh): wall time, cells/min, peak memory, CPU-s a cell',
  soak: 'every shipped scenario N times in a row (--runs, default 20): pass rates, leftovers',
  docker: 'bring-up/teardown per preset and one scenario, docker vs netns in the same run (needs dockerd)',
  impair: 'link impairments: configured vs measured delay, jitter, loss, burst loss, duplication, reordering, rate (--runs, default 3)',
  firewall: 'a firewalled cell against port-restricted-cone held to relay over TURN/TLS (an open network plus the TURN/TLS handshake), alternated: setup ratio per pair, median',
  ratio: 'the whole `webrtc-lab run port-restricted-cone` (and `npm run lab`) against the bare reference script, alternated: ratio per pair, median',
  stacks: 'viewer x camera stack pairs over the 15 stack-preset cells, N runs each (--runs, default 10; --nats a,b): agreement with RFC 4787 per cell',
  services: 'the services process on 127.0.0.1: sockets held, msg/s, offer->answer p50/p99 idle and loaded, 500-peer room join',
};

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { runs: { type: 'string' }, workers: { type: 'string' }, 'no-reuse': { type: 'boolean' }, nats: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  const suite = positionals[0] ?? 'targets';
  if (values.help || !(suite in SUITES)) {
    console.log(`Usage: npm run bench [-- <suite> [<name>...] [--runs N] [--workers N] [--no-reuse] (matrix) [--json]]\n\nSuites:\n${Object.entries(SUITES).map(([k, v]) => `  ${k.padEnd(10)} ${v}`).join('\n')}`);
    return values.help ? 0 : 2;
  }
  const runs = Number(values.runs ?? ({ topology: 7, scenarios: 3, soak: 20, docker: 3, impair: 3, ratio: 5, stacks: 10, firewall: 5, targets: 5 } as Record<string, number>)[suite] ?? 1);
  const log = values.json ? () => {} : (s: string) => console.log(s);
  log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${release()}`);
  const names = positionals.slice(1);
  const some = names.length ? names : undefined;
  let result: unknown;
  let failed = false;
  if (suite === 'topology') {
    log(`median of ${runs} runs after one warm-up\n`);
    result = await benchTopologies(runs, some, log);
  } else if (suite === 'scenarios') {
    log(`median of ${runs} runs\n`);
    result = await benchScenarios(runs, some, log);
  } else if (suite === 'matrix') {
    result = await benchMatrix(some, log, values.workers ? [Number(values.workers)] : undefined, values['no-reuse'] !== true);
  } else if (suite === 'impair') {
    log(`${runs} runs per case, a fresh lab each\n`);
    result = await benchImpairments(runs, log, some);
  } else if (suite === 'ratio') {
    log(`${runs} alternated pairs per command, after one warm-up of each\n`);
    const ratio = await benchRatio(runs, undefined, log);
    result = ratio;
    if (ratio.rows.some((r) => r.passed < r.runs || r.barePassed < r.bareRuns)) failed = true;
  } else if (suite === 'targets') {
    const r = await benchTargets(runs, log);
    result = r;
    if (r.failedRuns) failed = true;
  } else if (suite === 'firewall') {
    log(`${runs} alternated pairs, after one warm-up of each\n`);
    const r = await benchFirewall(runs, log);
    result = r;
    if (r.passed < runs * 2) failed = true;
  } else if (suite === 'stacks') {
    log(`${runs} runs per cell and stack pair\n`);
    const r = await benchStacks(runs, some, values.nats ? values.nats.split(',') : undefined, log);
    result = r;
    if (r.disagreements.length) failed = true;
  } else if (suite === 'services') {
    result = await benchServices(log);
  } else if (suite === 'docker') {
    log(`median of ${runs} runs\n`);
    result = await benchDocker(runs, some, undefined, log);
  } else {
    log(`${runs} runs of each scenario\n`);
    const soak = await benchSoak(runs, some, log);
    result = soak;
    if (soak.leftovers.length || soak.rows.some((r) => r.passed < r.runs)) failed = true;
  }
  if (values.json) console.log(JSON.stringify(result, null, 2));
  return failed ? 1 : 0;
}
