/**
 * The lab's resolver (dns-server.ts) runs inside the services process on the services host
 * (services-main.ts, `dns` in its config): one Node process less per run. Its log lines start with
 * DNS_LOG_PREFIX, and this follows them apart from the services' own.
 */
import type { LabProcess } from '../backends/backend.js';
import { LabError } from '../model/errors.js';
import { LineLog } from '../util/line-log.js';
import type { DnsServerSpec } from './dns-server.js';

export const DNS_PORT = 53;
const READY_TIMEOUT_MS = 10_000;
/** How every log line of the resolver begins (services-main.ts writes them). */
export const DNS_LOG_PREFIX = '{"src":"dns"';

export interface LabDnsProcess {
  /** The process that serves it (the services process). */
  process: LabProcess;
  log: LineLog;
  /** Resolves once it listens; the clock starts at this call (it may start before its network). */
  whenReady(): Promise<void>;
  stop(): Promise<void>;
}

/** The services process's config entry that makes it serve these records on port 53. */
export function labDnsSpec(records: Record<string, string>): DnsServerSpec {
  return { port: DNS_PORT, records };
}

/** Only the resolver's lines of a process's output. */
class DnsLog extends LineLog {
  override add(line: string): void {
    if (line.startsWith(DNS_LOG_PREFIX)) super.add(line);
  }
}

/** The resolver inside `host` (the services process, spawned with labDnsSpec in its config). */
export function labDnsIn(host: { process: LabProcess; log: LineLog }): LabDnsProcess {
  const log = new DnsLog();
  log.follow(host.process.stdout);
  const whenReady = () =>
    Promise.race([
      log.waitFor(/"event":"ready"/, READY_TIMEOUT_MS).then(() => undefined),
      host.process.exited.then(({ code }) => {
        throw new LabError('command-failed', `the services process (which serves the lab DNS) exited (code ${code}) before the DNS was ready:\n${host.log.tail(10)}`);
      }),
    ]);
  return { process: host.process, log, whenReady, stop: () => host.process.stop(500) };
}
