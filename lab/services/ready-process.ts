/** A lab process of our own (services, DNS) that prints `{"event":"ready"}` once it listens. */
import type { LabProcess, StartedLab } from '../backends/backend.js';
import { LabError } from '../model/errors.js';
import type { LineLog } from '../util/line-log.js';

export interface ReadyProcess<L extends LineLog> {
  process: LabProcess;
  log: L;
  /** Resolves once it is ready; the clock starts at this call (it may start before its network). */
  whenReady(): Promise<void>;
}

/** Spawns it on the services host and follows its output into `log`; `what` names it in errors. */
export function spawnReadyProcess<L extends LineLog>(lab: StartedLab, argv: string[], env: Record<string, string>, what: string, log: L, timeoutMs: number, stdin: 'pipe' | 'ignore' = 'ignore'): ReadyProcess<L> {
  const proc = lab.spawn(lab.topology.services.host, argv, { env, stdin });
  log.follow(proc.stdout);
  log.follow(proc.stderr);
  const whenReady = () =>
    Promise.race([
      log.waitFor(/"event":"ready"/, timeoutMs).then(() => undefined),
      proc.exited.then(({ code }) => {
        throw new LabError('command-failed', `${what} exited (code ${code}) before it was ready:\n${log.tail(10)}`);
      }),
    ]);
  return { process: proc, log, whenReady };
}
