import { runWithReports } from '../api/run.js';
import { getBackend } from '../backends/index.js';
import { loadConfig } from '../config/load-config.js';
import { chooseBackend, chooseRepeat } from '../config/resolve.js';
import { listScenarios, loadScenario } from '../model/scenario.js';
import { reportsRoot } from '../report/write-report.js';
import type { RepeatOptions } from '../run/repeat.js';
import { REPORTER_HELP, REPORTER_OPTIONS, cliReporters } from './cli-reporters.js';
import { EXIT, cliName, usageError, type Command } from './command.js';
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
    'frame. Writes reports/<run-id>/ (result.json, summary.txt, summary.md, junit.xml, index.html) under',
    'the current folder (or the config\'s reportsDir, or $WEBRTC_LAB_REPORTS_DIR).',
    '',
    '<scenario> is a preset name or a path to a scenario file (its `topology:` is a preset name or a path',
    'relative to the scenario file). Flags override webrtc-lab.config.*.',
    '',
    'Exit 0 when the scenario\'s expectations hold, 1 when they do not, 2 on a usage error, 3 when the run',
    'is inconclusive (the machine was saturated and the lab itself far slower than its baseline: re-run it).',
    '',
    'Options:',
    '  --json                        print only the result object on stdout',
    '  --explain                     then walk through the run step by step with its real values',
    '                                (signaling, the SDP annotated, each candidate and where it came from,',
    '                                the pairs tried and why the winner won, DTLS, first media)',
    '  --capture                     a pcap per router interface (tcpdump in the lab), in the report folder',
    '                                (with --repeat/--retries: one capture-r<i>a<j>/ folder per run)',
    '  --repeat N                    run it N times: pass rate and latency percentiles (p50/p95 budgets apply)',
    '  --retries N                   re-run a failed run up to N times (recorded: the result is "flaky")',
    '  --min-pass-rate R             share of runs that must pass, 0..1 (default 1)',
    '  -b, --backend <netns|docker>  where to build (default netns)',
    ...REPORTER_HELP,
  ].join('\n'),
  options: {
    json: { type: 'boolean' },
    explain: { type: 'boolean' },
    capture: { type: 'boolean' },
    backend: { type: 'string', short: 'b' },
    repeat: { type: 'string' },
    retries: { type: 'string' },
    'min-pass-rate': { type: 'string' },
    ...REPORTER_OPTIONS,
  },
  async run({ values, positionals, argv, signal }) {
    if (positionals.length !== 1) throw usageError(this, `give exactly one scenario (known: ${safeList()})`);
    const config = await loadConfig(values.config as string | undefined);
    const scenario = loadScenario(positionals[0]);
    const backend = await getBackend(chooseBackend(values.backend as string | undefined, config));
    const rerun = await rerunUnprivileged(backend, argv);
    if (rerun !== null) return rerun;
    await backend.checkAvailable();
    const reporters = cliReporters(values, config);
    const settings = { repeat: chooseRepeat(repeatFlags(this, values), config), capture: Boolean(values.capture), explain: Boolean(values.explain), reportsDir: reportsRoot(config.reportsDir), signal };
    const { result } = await runWithReports(scenario, backend, settings, reporters);
    for (const f of result.teardown.failures) process.stderr.write(`warning: lab ${result.labId}: teardown: ${f.step}: ${f.message} (remove what is left: ${cliName()} clean ${result.labId})\n`);
    return result.passed ? EXIT.ok : result.verdict === 'inconclusive' ? EXIT.inconclusive : EXIT.failed;
  },
};

function repeatFlags(cmd: Command, values: Record<string, unknown>): Partial<RepeatOptions> {
  const int = (name: string, min: number) => {
    const v = values[name];
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw usageError(cmd, `--${name} must be an integer >= ${min} (got "${v}")`);
    return n;
  };
  const rate = values['min-pass-rate'];
  const minPassRate = rate === undefined ? undefined : Number(rate);
  if (minPassRate !== undefined && !(minPassRate >= 0 && minPassRate <= 1)) throw usageError(cmd, `--min-pass-rate must be between 0 and 1 (got "${rate}")`);
  return { repeat: int('repeat', 1), retries: int('retries', 0), minPassRate };
}

function safeList(): string {
  try {
    return listScenarios().join(', ');
  } catch {
    return 'see scenarios/';
  }
}
