import { parseArgs, type ParseArgsConfig } from 'node:util';
import { existsSync } from 'node:fs';
import { LabError } from '../model/errors.js';
import { commandSignal } from './signals.js';
import { projectPath, projectRoot } from '../util/paths.js';

/** How the user started the CLI: in the lab's own checkout `npm run lab --`, where installed `npx webrtc-lab`. */
export function cliName(): string {
  const checkout = existsSync(projectPath('lab')) && !projectRoot.split(/[\\/]/).includes('node_modules');
  return checkout ? 'npm run lab --' : 'npx webrtc-lab';
}

/** One CLI command: its help text, its options, and what it does (returns the exit code). */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Lines of help after the usage line. */
  details: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(args: ParsedArgs): Promise<number>;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  /** Everything after a bare `--`. */
  rest: string[];
  /** The whole command line, command name first (to re-run it elsewhere). */
  argv: string[];
  /** Aborted by SIGINT/SIGTERM/SIGHUP/EPIPE; reading it installs those handlers (commands/signals.ts). */
  readonly signal: AbortSignal;
}

export const EXIT = { ok: 0, failed: 1, usage: 2, inconclusive: 3 } as const;

export function parseCommandArgs(cmd: Command, argv: string[]): ParsedArgs {
  const dash = argv.indexOf('--');
  const own = dash >= 0 ? argv.slice(0, dash) : argv;
  const rest = dash >= 0 ? argv.slice(dash + 1) : [];
  try {
    const { values, positionals } = parseArgs({ args: own, options: { help: { type: 'boolean', short: 'h' }, ...cmd.options }, allowPositionals: true, strict: true });
    return {
      values: values as ParsedArgs['values'],
      positionals,
      rest,
      argv: [cmd.name, ...argv],
      get signal() {
        return commandSignal();
      },
    };
  } catch (err) {
    throw new LabError('usage', `${cmd.name}: ${(err as Error).message}`, `see: ${cliName()} ${cmd.name} --help`);
  }
}

export function helpText(cmd: Command): string {
  return `Usage: ${cliName()} ${cmd.usage}\n\n${cmd.summary}\n${cmd.details ? `\n${cmd.details.trimEnd()}\n` : ''}`;
}

export function usageError(cmd: Command, message: string): LabError {
  return new LabError('usage', `${cmd.name}: ${message}`, `usage: ${cliName()} ${cmd.usage}`);
}
