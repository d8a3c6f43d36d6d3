/**
 * The CLI owns signals (library code takes an AbortSignal instead). Ctrl-C, SIGTERM and SIGHUP
 * abort the command's signal: the command tears down what it built and main() exits with the
 * conventional 128+signal code; a second signal exits at once. A reader that goes away
 * (`npm run lab -- x | head`) does the same with 141: Node does not die of SIGPIPE but gets EPIPE,
 * which unhandled would crash the process and leave the lab behind.
 */
import { inUserNamespace } from '../backends/netns/userns.js';

const SIGNALS = [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const;
export const EXIT_SIGPIPE = 141;
const EXIT_PARENT_GONE = 129;

let controller: AbortController | null = null;
let exitCode: number | null = null;

/** The signal a command passes to the library; asking for it is what installs the handlers. */
export function commandSignal(): AbortSignal {
  if (controller) return controller.signal;
  controller = new AbortController();
  for (const [name, code] of SIGNALS) {
    process.on(name, () => {
      if (exitCode !== null) process.exit(code);
      process.stderr.write(`\n${name}: tearing down...\n`);
      abort(code, new Error(name));
    });
  }
  if (inUserNamespace()) watchParent();
  return controller.signal;
}

/** The exit code of the signal that aborted the command, or null when none did. */
export function abortedExitCode(): number | null {
  return exitCode;
}

/** Call once at start: a closed stdout or stderr tears down like a signal instead of crashing. */
export function abortWhenOutputCloses(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
      if (exitCode !== null) return;
      // A command that never asked for a signal has nothing to tear down.
      if (!controller) process.exit(EXIT_SIGPIPE);
      abort(EXIT_SIGPIPE, new Error('output closed (EPIPE)'));
    });
  }
}

function abort(code: number, reason: Error): void {
  exitCode = code;
  controller!.abort(reason);
}

/**
 * In user-namespace mode this process was started by the lab's outer CLI; if that one is killed
 * (even with -9) nobody would take this lab down: treat it like a hang-up.
 */
function watchParent(): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent || exitCode !== null) return;
    clearInterval(timer);
    abort(EXIT_PARENT_GONE, new Error('the lab command that started this one exited'));
  }, 250);
  timer.unref();
}
