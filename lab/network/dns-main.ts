/**
 * The lab's resolver process, run on the services host. Configured by LAB_DNS_CONFIG (JSON,
 * DnsServerSpec); logs JSON lines to stdout; prints {"event":"ready"} once it listens.
 */
import { monotonicMs } from '../util/clock.js';
import { startDnsServer, type DnsServerSpec } from './dns-server.js';

const log = (entry: Record<string, unknown>) => process.stdout.write(JSON.stringify({ t: monotonicMs(), ...entry }) + '\n');

const spec = JSON.parse(process.env.LAB_DNS_CONFIG ?? '') as DnsServerSpec;
startDnsServer(spec, (q) => log({ event: 'query', ...q })).then(
  (socket) => {
    log({ event: 'ready', port: spec.port, names: Object.keys(spec.records).length });
    const stop = () => (socket.close(), process.exit(0));
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  },
  (err: Error) => {
    log({ level: 'error', event: 'bind-failed', message: err.message });
    process.exit(1);
  },
);
