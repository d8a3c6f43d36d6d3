/**
 * Ctrl-C and SIGTERM: run every registered cleanup (tear down what was built), then exit with the
 * conventional 128+signal code. A second signal while cleaning up exits at once.
 */
type Cleanup = () => Promise<void> | void;
const cleanups = new Set<Cleanup>();
let installed = false;
let shuttingDown = false;

export function onShutdown(cleanup: Cleanup): () => void {
  install();
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

export function isShuttingDown(): boolean {
  return shuttingDown;
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.on(signal, () => {
      if (shuttingDown) process.exit(code);
      shuttingDown = true;
      process.stderr.write(`\n${signal}: tearing down...\n`);
      Promise.allSettled([...cleanups].map((c) => c())).then((results) => {
        for (const r of results) if (r.status === 'rejected') process.stderr.write(`cleanup failed: ${(r.reason as Error)?.message ?? r.reason}\n`);
        process.exit(code);
      });
    });
  }
}
