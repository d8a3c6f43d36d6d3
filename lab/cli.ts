/** `npm run lab -- <command> ...`: dispatches to one command and turns errors into exit codes. */
import { LabError, errorMessage } from './model/errors.js';
import { EXIT, cliName, helpText, parseCommandArgs, type Command } from './commands/command.js';
import { cleanCommand, downCommand, execCommand, listCommand, peerSchemaCommand, resultSchemaCommand, rulesCommand, topologiesCommand, upCommand } from './commands/lab-commands.js';
import { verifyNatCommand } from './commands/verify-nat-command.js';
import { runCommand } from './commands/run-scenario-command.js';
import { matrixCommand, mergeCommand } from './commands/matrix-command.js';
import { listScenarios, scenarioPath } from './model/scenario.js';
import { abortWhenOutputCloses, abortedExitCode } from './commands/signals.js';
import { initCommand } from './commands/init-command.js';
import { doctorCommand } from './commands/doctor-command.js';

const COMMANDS: Command[] = [initCommand, doctorCommand, runCommand, matrixCommand, mergeCommand, upCommand, execCommand, downCommand, listCommand, cleanCommand, verifyNatCommand, rulesCommand, topologiesCommand, peerSchemaCommand, resultSchemaCommand];

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'WebRTC NAT-traversal lab: real kernel NATs, coturn, werift peers. Start here: doctor, init.',
    '',
    `Usage: ${cliName()} <scenario> [--json]      run a scenario (e.g. symmetric-nat)`,
    `       ${cliName()} <command> [options]      (every command takes --help)`,
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  abortWhenOutputCloses();
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(mainHelp());
    return name ? EXIT.ok : EXIT.usage;
  }
  // `npm run lab -- <scenario>` is short for `npm run lab -- run <scenario>`.
  if (!COMMANDS.some((c) => c.name === name) && !name.startsWith('-') && scenarioPath(name)) return main(['run', ...argv]);
  const cmd = COMMANDS.find((c) => c.name === name);
  try {
    if (!cmd) throw new LabError('usage', `unknown command or scenario "${name}"`, `commands: ${COMMANDS.map((c) => c.name).join(', ')}; scenarios: ${listScenarios().join(', ')}`);
    const args = parseCommandArgs(cmd, rest);
    if (args.values.help) {
      console.log(helpText(cmd));
      return EXIT.ok;
    }
    const code = await cmd.run(args);
    return exitAfterAbort() ?? code;
  } catch (err) {
    const aborted = exitAfterAbort();
    if (aborted !== null) return aborted;
    console.error(`error: ${errorMessage(err)}`);
    if (!(err instanceof LabError) && process.env.DEBUG) console.error(err);
    return exitCodeOf(err);
  }
}

/** Usage errors and files that fail validation (scenario, topology, config, expectations) exit 2; all else 1. */
export function exitCodeOf(err: unknown): number {
  return err instanceof LabError && (err.code === 'usage' || err.code === 'invalid-file') ? EXIT.usage : EXIT.failed;
}

/**
 * After a signal the command has torn down what it built: exit with the signal's code now, even if
 * a handle (a closed pipe's pending write, a timer) would keep the process alive.
 */
function exitAfterAbort(): number | null {
  const code = abortedExitCode();
  if (code !== null) process.exit(code);
  return null;
}
