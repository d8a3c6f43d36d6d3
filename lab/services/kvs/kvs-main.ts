/**
 * The KVS emulator process, run as a service of the lab on the services host with an internet
 * address of its own: HTTPS and WSS on 443 with the lab CA's certificate (LAB_TLS_CERT/KEY).
 * Configured by LAB_KVS_CONFIG (JSON KvsEmulatorConfig); logs JSON lines to stdout.
 */
import { readFileSync } from 'node:fs';
import { monotonicMs } from '../../util/clock.js';
import { HardenedServer } from '../hardened-server.js';
import { logLine } from '../log-line.js';
import { KvsEmulator, type KvsEmulatorConfig } from './emulator.js';

const log = (entry: Record<string, unknown>) => process.stdout.write(logLine({ t: monotonicMs(), ...entry }) + '\n');

async function main(): Promise<void> {
  const config = JSON.parse(process.env.LAB_KVS_CONFIG ?? '') as KvsEmulatorConfig;
  const cert = process.env.LAB_TLS_CERT;
  const key = process.env.LAB_TLS_KEY;
  if (!cert || !key) throw new Error('LAB_TLS_CERT and LAB_TLS_KEY must name the certificate and key (the lab sets them for its services)');
  const kvs = new KvsEmulator(config, log);
  const server = new HardenedServer({ log, tls: { cert: readFileSync(cert), key: readFileSync(key) }, http: { ...kvs.httpRoutes(), '/health': { methods: ['GET'], handle: (_q, res) => void res.writeHead(200).end('ok') } }, ws: { '/': kvs.wsRoute } });
  const port = await server.listen(Number(process.env.LAB_SERVICE_PORT ?? 443), process.env.LAB_SERVICE_ADDRESS ?? '0.0.0.0');
  log({ event: 'ready', port, region: config.region, channels: config.channels });
  const stop = () => {
    server.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: Error) => {
  log({ level: 'error', event: 'failed', message: err.message });
  process.exit(1);
});
