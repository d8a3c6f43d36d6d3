/** Runs the lab's resolver (dns-main.ts) on the services host and waits for it to listen. */
import type { LabProcess, StartedLab } from '../backends/backend.js';
import { LabError } from '../model/errors.js';
import { LineLog } from '../util/line-log.js';
import { bundlePath } from '../util/paths.js';
import type { DnsServerSpec } from './dns-server.js';

export const DNS_PORT = 53;
const READY_TIMEOUT_MS = 10_000;

export interface LabDnsProcess {
  process: LabProcess;
  log: LineLog;
  /** Resolves once it listens; the clock starts at this call (it may start before its network). */
  whenReady(): Promise<void>;
  stop(): Promise<void>;
}

export function spawnLabDns(lab: StartedLab, records: Record<string, string>): LabDnsProcess {
  const spec: DnsServerSpec = { port: DNS_PORT, records };
  const proc = lab.spawn(lab.topology.services.host, [process.execPath, bundlePath('dns')], { env: { LAB_DNS_CONFIG: JSON.stringify(spec) } });
  const log = new LineLog();
  log.follow(proc.stdout);
  log.follow(proc.stderr);
  const whenReady = () =>
    Promise.race([
      log.waitFor(/"event":"ready"/, READY_TIMEOUT_MS).then(() => undefined),
      proc.exited.then(({ code }) => {
        throw new LabError('command-failed', `the lab DNS exited (code ${code}) before it was ready:\n${log.tail(10)}`);
      }),
    ]);
  return { process: proc, log, whenReady, stop: () => proc.stop(500) };
}
