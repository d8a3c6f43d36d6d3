/** Runs the lab's resolver (dns-main.ts) on the services host and waits for it to listen. */
import type { LabProcess, StartedLab } from '../backends/backend.js';
import { spawnReadyProcess } from '../services/ready-process.js';
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
  const started = spawnReadyProcess(lab, [process.execPath, bundlePath('dns')], { LAB_DNS_CONFIG: JSON.stringify(spec) }, 'the lab DNS', new LineLog(), READY_TIMEOUT_MS);
  return { ...started, stop: () => started.process.stop(500) };
}
