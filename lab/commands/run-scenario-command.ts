import { getBackend } from '../backends/index.js';
import { listScenarios, loadScenario } from '../model/scenario.js';
import { runSummary } from '../report/terminal.js';
import { writeRunReport } from '../report/write-report.js';
import { runScenario } from '../run/run-scenario.js';
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
    '  -b, --backend <netns|docker>  where to build (default netns)',
  ].join('\n'),
  options: { json: { type: 'boolean' }, backend: { type: 'string', short: 'b' } },
  async run({ values, positionals, argv }) {
    if (positionals.length !== 1) throw usageError(this, `give exactly one scenario (known: ${safeList()})`);
    const scenario = loadScenario(positionals[0]);
    const backend = await getBackend(values.backend as string | undefined);
    const rerun = await rerunUnprivileged(backend.name, argv);
    if (rerun !== null) return rerun;
    await backend.checkAvailable();
    const quiet = Boolean(values.json);
    const result = await runScenario(scenario, backend, { onProgress: quiet ? undefined : (line) => process.stderr.write(`  ${line}\n`) });
    const dir = writeRunReport(result);
    if (quiet) console.log(JSON.stringify(result, null, 2));
    else console.log(`\n${runSummary(result)}\nreport: ${dir}/result.json`);
    return result.passed ? EXIT.ok : EXIT.failed;
  },
};

function safeList(): string {
  try {
    return listScenarios().join(', ');
  } catch {
    return 'see scenarios/';
  }
}
