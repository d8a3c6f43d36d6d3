/**
 * Ctrl-C and SIGTERM: run every registered cleanup (tear down what was built), then exit with the
 * conventional 128+signal code. A second signal while cleaning up exits at once. The same happens
 * when whoever reads our output goes away (`npm run lab -- x | head`): Node does not die of SIGPIPE
 * but gets EPIPE, which unhandled would crash the process and leave the lab behind.
 */
type Cleanup = () => Promise<void> | void;
const cleanups = new Set<Cleanup>();
let installed = false;
let shuttingDown = false;
let watchingOutput = false;

const EXIT_SIGPIPE = 141;

export function onShutdown(cleanup: Cleanup): () => void {
  install();
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

export function isShuttingDown(): boolean {
  return shuttingDown;
}

/** Call once at start: a closed stdout or stderr tears down like a signal instead of crashing. */
export function shutDownWhenOutputCloses(): void {
  if (watchingOutput) return;
  watchingOutput = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
      if (!shuttingDown) shutDown(null, EXIT_SIGPIPE);
    });
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.on(signal, () => {
      if (shuttingDown) process.exit(code);
      shutDown(signal, code);
    });
  }
}

/** Runs every cleanup, reports the ones that failed (where anyone still reads), then exits. */
function shutDown(signal: string | null, code: number): void {
  shuttingDown = true;
  if (signal) process.stderr.write(`\n${signal}: tearing down...\n`);
  Promise.allSettled([...cleanups].map((c) => c())).then((results) => {
    for (const r of results) if (r.status === 'rejected') process.stderr.write(`cleanup failed: ${(r.reason as Error)?.message ?? r.reason}\n`);
    process.exit(code);
  });
}
