/** coturn (Debian's turnserver) on the lab's services host: STUN, TURN over UDP/TCP/TLS, RFC 5780. */
import { join } from 'node:path';
import type { LabProcess, StartedLab } from '../backends/backend.js';
import { LabError } from '../model/errors.js';
import type { LineLog } from '../util/line-log.js';
import { BoundedLineLog } from './bounded-line-log.js';

export interface CoturnSpec {
  /** Two addresses make coturn answer RFC 5780 (NAT behaviour discovery) requests. */
  addresses: string[];
  /** Where relayed traffic comes from (default: the listening addresses). */
  relayAddresses?: string[];
  realm: string;
  /** Shared secret for time-limited TURN REST credentials; without it the server is STUN-only. */
  authSecret?: string;
  /**
   * Static long-term credentials. coturn 4.6 ignores static users once --use-auth-secret is on
   * ("Cannot find credentials of user"), so with users the secret is not used: the lab hands its
   * own peers a static user too (docs/own-services-dns-ca.md).
   */
  users?: { username: string; password: string }[];
  tls?: { certFile: string; keyFile: string };
  /**
   * --max-allocate-lifetime: the longest lifetime one Allocate or Refresh is granted (coturn's
   * default 3600 s). An allocation whose client stops refreshing ends within it; one that keeps
   * refreshing is not cut by it, nor by its TURN REST credential expiring (see
   * docs/services-hardening.md).
   */
  maxAllocateLifetimeS?: number;
  /** Extra turnserver arguments. */
  extraArgs?: string[];
}

export interface StartedCoturn {
  process: LabProcess;
  log: LineLog;
  stop(): Promise<void>;
}

export const STUN_PORT = 3478;
export const TLS_PORT = 5349;
const READY_LINE = /Total General servers/;
const READY_TIMEOUT_MS = 10_000;

export function coturnArgs(spec: CoturnSpec, stateDir: string): string[] {
  const args = [
    'turnserver',
    '-n', // no configuration file: everything is on this command line
    '--no-cli',
    '--log-file=stdout',
    '--simple-log',
    // Allocations, permissions and channel binds with their addresses: the wire oracle reads them
    // to see through TURN over TLS (lab/wire/coturn-log.ts).
    '--verbose',
    `--pidfile=${join(stateDir, 'turnserver.pid')}`,
    `--userdb=${join(stateDir, 'turndb')}`,
    `--realm=${spec.realm}`,
    `--listening-port=${STUN_PORT}`,
    ...spec.addresses.map((a) => `--listening-ip=${a}`),
    ...(spec.relayAddresses ?? spec.addresses).map((a) => `--relay-ip=${a}`),
    '--no-multicast-peers',
  ];
  if (spec.users?.length) args.push('--lt-cred-mech', ...spec.users.map((u) => `--user=${u.username}:${u.password}`), '--fingerprint');
  else if (spec.authSecret) args.push('--use-auth-secret', `--static-auth-secret=${spec.authSecret}`, '--fingerprint');
  else args.push('--no-auth');
  if (spec.tls) args.push(`--tls-listening-port=${TLS_PORT}`, `--cert=${spec.tls.certFile}`, `--pkey=${spec.tls.keyFile}`, '--no-dtls');
  else args.push('--no-tls', '--no-dtls');
  if (spec.maxAllocateLifetimeS !== undefined) args.push(`--max-allocate-lifetime=${spec.maxAllocateLifetimeS}`);
  return [...args, ...(spec.extraArgs ?? [])];
}

export async function startCoturn(lab: StartedLab, spec: CoturnSpec): Promise<StartedCoturn> {
  const host = lab.topology.services.host;
  const proc = lab.spawn(host, coturnArgs(spec, lab.stateDir));
  const log = new BoundedLineLog();
  log.follow(proc.stdout);
  log.follow(proc.stderr);
  const stop = () => proc.stop(1000);
  try {
    await Promise.race([
      log.waitFor(READY_LINE, READY_TIMEOUT_MS),
      proc.exited.then(({ code }) => {
        throw new LabError('command-failed', `turnserver exited (code ${code}) before it was ready:\n${log.tail(15)}`);
      }),
    ]);
  } catch (err) {
    await stop();
    if (err instanceof LabError && err.code === 'timeout') throw new LabError('timeout', `turnserver was not ready within ${READY_TIMEOUT_MS} ms:\n${log.tail(15)}`);
    throw err;
  }
  return { process: proc, log, stop };
}
