import { getBackend } from '../backends/index.js';
import { listScenarios, loadScenario } from '../model/scenario.js';
import { runSummary } from '../report/terminal.js';
import { writeRunReport } from '../report/write-report.js';
import { newRunId, runScenario } from '../run/run-scenario.js';
import { explainRun } from '../report/explain.js';
import { reportsRoot } from '../report/write-report.js';
import { join } from 'node:path';
import { runRepeated, type RepeatOptions } from '../run/repeat.js';
import { EXIT, usageError, type Command } from './command.js';
import { rerunUnprivileged } from './privileges.js';

export const runCommand: Command = {
  name: 'run',
  summary: 'Run a scenario: which ICE candidate pair wins on that network, and how long setup takes step by step.',
  usage: 'run <scenario> [--json] [--backend netns|docker]     (or simply: npm run lab -- <scenario>)',
  details: [
    `Scenarios: ${safeList()}`,
    '',
    'Builds the scenario\'s topology, starts coturn and the signaling server on its internet, starts the',
    'pi-camera and the viewer(s) inside their hosts, and reports the outcome (direct, relay or failed),',
    'the selected candidate pair as each side sees it, and the timeline from the offer to the first video',
    'frame. Writes reports/<run-id>/result.json and summary.txt.',
    '',
    'Exit 0 when the scenario\'s expectations hold, 1 when they do not, 2 on a usage error.',
    '',
    'Options:',
    '  --json                        print only the result object on stdout',
    '  --explain                     then walk through the run step by step with its real values',
    '                                (signaling, the SDP annotated, each candidate and where it came from,',
    '                                the pairs tried and why the winner won, DTLS, first media)',
    '  --capture                     a pcap per router interface (tcpdump in the lab), in the report folder',
    '  --repeat N                    run it N times: pass rate and latency percentiles (p50/p95 budgets apply)',
    '  --retries N                   re-run a failed run up to N times (recorded: the result is "flaky")',
    '  --min-pass-rate R             share of runs that must pass, 0..1 (default 1)',
    '  -b, --backend <netns|docker>  where to build (default netns)',
  ].join('\n'),
  options: {
    json: { type: 'boolean' },
    explain: { type: 'boolean' },
    capture: { type: 'boolean' },
    backend: { type: 'string', short: 'b' },
    repeat: { type: 'string' },
    retries: { type: 'string' },
    'min-pass-rate': { type: 'string' },
  },
  async run({ values, positionals, argv, signal }) {
    if (positionals.length !== 1) throw usageError(this, `give exactly one scenario (known: ${safeList()})`);
    const scenario = loadScenario(positionals[0]);
    const backend = await getBackend(values.backend as string | undefined);
    const rerun = await rerunUnprivileged(backend, argv);
    if (rerun !== null) return rerun;
    await backend.checkAvailable();
    const quiet = Boolean(values.json);
    const repeat = repeatOptions(this, values);
    const onProgress = quiet ? undefined : (line: string) => process.stderr.write(`  ${line}\n`);
    const runId = newRunId();
    const captureDir = values.capture ? join(reportsRoot(), runId, 'capture') : undefined;
    let result = repeat ? null : await runScenario(scenario, backend, { onProgress, runId, captureDir, signal });
    if (repeat) {
      const r = await runRepeated(scenario, backend, repeat, { signal }, (run, a) => onProgress?.(`run ${a.repeat}${a.attempt > 1 ? ` (retry ${a.attempt - 1})` : ''}: ${run.outcome}${run.passed ? '' : ` FAILED: ${a.failure}`}, setup ${run.setupMs ?? '—'} ms`));
      result = {
        ...r.representative,
        passed: r.checks.every((c) => c.ok),
        repeat: { runs: repeat.repeat, passRate: r.passRate, status: r.status, attempts: r.attempts, checks: r.checks, latency: r.latency },
      };
    }
    result = result!;
    const dir = writeRunReport(result);
    for (const f of result.teardown.failures) process.stderr.write(`warning: lab ${result.labId}: teardown: ${f.step}: ${f.message} (remove what is left: npm run lab -- clean ${result.labId})\n`);
    if (quiet) console.log(JSON.stringify(result, null, 2));
    else {
      console.log(`\n${runSummary(result)}`);
      if (values.explain) console.log(`\n${explainRun(result)}`);
      console.log(`\nreport: ${dir}/index.html (and result.json${result.captures.length ? `, ${result.captures.length} pcap files in capture/` : ''})`);
    }
    return result.passed ? EXIT.ok : EXIT.failed;
  },
};

function repeatOptions(cmd: Command, values: Record<string, unknown>): RepeatOptions | null {
  if (values.repeat === undefined && values.retries === undefined && values['min-pass-rate'] === undefined) return null;
  const int = (name: string, min: number, fallback: number) => {
    const v = values[name];
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw usageError(cmd, `--${name} must be an integer >= ${min} (got "${v}")`);
    return n;
  };
  const minPassRate = values['min-pass-rate'] === undefined ? 1 : Number(values['min-pass-rate']);
  if (!(minPassRate >= 0 && minPassRate <= 1)) throw usageError(cmd, `--min-pass-rate must be between 0 and 1 (got "${values['min-pass-rate']}")`);
  return { repeat: int('repeat', 1, 1), retries: int('retries', 0, 0), minPassRate };
}

function safeList(): string {
  try {
    return listScenarios().join(', ');
  } catch {
    return 'see scenarios/';
  }
}
