/**
 * The user's own services (scenario `services:`): any program, started in its lab host with the
 * lab's DNS and CA, waited for until it is ready (a listening TCP port, a log line or an HTTP
 * answer), stopped with the lab. On the services host each service gets an internet address of its
 * own, so it may listen on any port but the lab's (LAB_RESERVED_PORTS), 443 included.
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { LabProcess, StartedLab } from '../backends/backend.js';
import { parseAddress, formatAddress, parseCidr } from '../model/ipv4.js';
import { LabError } from '../model/errors.js';
import type { Scenario, ServiceSpec } from '../model/scenario.js';
import { displayName } from '../model/validate.js';
import { SERVICES_HOST, type Topology } from '../model/topology.js';
import { serviceName } from '../network/dns-names.js';

/** Lines of a service's output kept for errors and the run's result. */
export const KEPT_LINES = 200;
const SHOWN_LINES = 15;
const POLL_MS = 25;

/**
 * Each service's address: on the services host, one of its own taken from the top of the internet
 * subnet down (routers and peers take theirs from the bottom up); elsewhere, its host's address.
 */
export function serviceAddresses(topology: Topology, services: Pick<ServiceSpec, 'name' | 'host'>[]): Record<string, string> {
  const internet = topology.segments.find((s) => s.kind === 'internet')!;
  const cidr = parseCidr(internet.subnet)!;
  const used = new Set([internet.gateway, topology.voidGateway, ...topology.hosts.flatMap((h) => h.iface.addresses), ...topology.routers.flatMap((r) => [...r.outside.addresses, ...r.inside.flatMap((i) => i.addresses)])]);
  let next = cidr.network + 2 ** (32 - cidr.prefix) - 2; // the last host address
  const out: Record<string, string> = {};
  for (const s of services) {
    if (s.host !== SERVICES_HOST) {
      out[s.name] = topology.hosts.find((h) => h.name === s.host)!.iface.addresses[0];
      continue;
    }
    while (used.has(formatAddress(next)) && next > cidr.network) next--;
    if (next <= cidr.network + 3) throw new LabError('invalid-file', `services.${s.name}: no free address left on the internet (${internet.subnet}) for it`);
    out[s.name] = formatAddress(next);
    used.add(out[s.name]);
  }
  return out;
}

/** Says, before anything is built, which service's program does not exist. */
export function checkServiceCommands(scenario: Pick<Scenario, 'source' | 'services'>, path = process.env.PATH ?? ''): void {
  for (const s of scenario.services ?? []) checkProgram(s.command[0], s.cwd, s.env.PATH ?? path, `${displayName(scenario.source)}: services.${s.name}.command[0]`, `services.${s.name}.env.PATH`);
}

/** The same for black-box (kind "app") peers: peers.<name>.command[0]. */
export function checkAppPeerCommands(scenario: Pick<Scenario, 'source' | 'camera' | 'viewers'>, path = process.env.PATH ?? ''): void {
  for (const p of [scenario.camera, ...scenario.viewers]) {
    if (p.app && p.kind === 'app') checkProgram(p.app.command[0], p.app.cwd, p.app.env.PATH ?? path, `${displayName(scenario.source)}: peers.${p.name}.command[0]`, `peers.${p.name}.env.PATH`);
  }
}

/** A program name or path that exists and is executable, or a LabError naming the field. */
function checkProgram(program: string, cwd: string, path: string, where: string, pathField: string): void {
  if (program.includes('/')) {
    const file = isAbsolute(program) ? program : resolve(cwd, program);
    if (!isExecutableFile(file)) throw new LabError('not-found', `${where}: "${program}" is not an executable file (looked at ${file})`, 'paths are relative to the scenario file\'s folder; check the name and its executable bit, or start it through its interpreter ([node, app.mjs])');
    return;
  }
  const dirs = path.split(delimiter).filter(Boolean);
  if (!dirs.some((d) => isExecutableFile(join(d, program)))) throw new LabError('not-found', `${where}: program "${program}" is not found on PATH`, `install it, give its path (relative to the scenario file's folder), or set ${pathField}`);
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The last lines of a process's output, bounded, with waiters for a line pattern. */
export class TailLog {
  readonly lines: string[] = [];
  private waiters: { pattern: RegExp; resolve: () => void }[] = [];

  follow(stream: Readable, prefix = ''): void {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop()!;
      for (const line of parts) this.add(prefix + line);
    });
    stream.on('end', () => partial && this.add(prefix + partial));
  }

  add(line: string): void {
    this.lines.push(line);
    if (this.lines.length > KEPT_LINES) this.lines.shift();
    this.waiters = this.waiters.filter((w) => (w.pattern.test(line) ? (w.resolve(), false) : true));
  }

  /** Resolves at the first line (seen from now on, or already kept) matching pattern. */
  waitFor(pattern: RegExp): Promise<void> {
    if (this.lines.some((l) => pattern.test(l))) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ pattern, resolve }));
  }

  tail(n = SHOWN_LINES): string {
    const lines = this.lines.slice(-n);
    return lines.length ? lines.map((l) => `    ${l}`).join('\n') : '    (no output)';
  }
}

export interface StartedUserService {
  spec: ServiceSpec;
  address: string;
  process: LabProcess;
  /** Its environment beyond the machine's (the probe gets the same CA). */
  env: Record<string, string>;
  log: TailLog;
  stop(): Promise<void>;
}

export interface UserServicesOptions {
  scenario: Pick<Scenario, 'source' | 'services'>;
  addresses: Record<string, string>;
  /** Environment every service gets (the lab CA and certificate: ca.ts serviceTlsEnv). */
  env: Record<string, string>;
}

/** Gives the services host the services' own addresses (after the lab's network is up). */
export async function addServiceAddresses(lab: StartedLab, addresses: Record<string, string>, services: ServiceSpec[]): Promise<void> {
  const srv = lab.topology.hosts.find((h) => h.name === SERVICES_HOST)!;
  const lines = services.filter((s) => s.host === SERVICES_HOST).map((s) => `addr add ${addresses[s.name]}/${srv.iface.prefix} dev ${srv.iface.name}`);
  if (lines.length) await lab.exec(SERVICES_HOST, ['ip', '-batch', '-'], { input: lines.join('\n') + '\n', purpose: 'give the user services their internet addresses' });
}

/** Starts every service at once; the caller puts stop() on its teardown before waiting. */
export function spawnUserServices(lab: StartedLab, o: UserServicesOptions): StartedUserService[] {
  return (o.scenario.services ?? []).map((spec) => {
    const address = o.addresses[spec.name];
    const env = { ...o.env, LAB_SERVICE_NAME: spec.name, LAB_SERVICE_ADDRESS: address, LAB_SERVICE_HOSTNAME: serviceName(spec.name), ...(spec.port ? { LAB_SERVICE_PORT: String(spec.port) } : {}), ...spec.env };
    const proc = lab.spawn(spec.host, spec.command, { env, cwd: spec.cwd });
    const log = new TailLog();
    log.follow(proc.stdout);
    log.follow(proc.stderr);
    return { spec, address, process: proc, env, log, stop: () => proc.stop(1000) };
  });
}

/** Resolves once every service is ready; rejects naming the first that exits early or misses its deadline. */
export async function waitUserServicesReady(lab: StartedLab, services: StartedUserService[], source: string): Promise<void> {
  await Promise.all(services.map((s) => waitReady(lab, s, source)));
}

export function describeReady(s: Pick<StartedUserService, 'spec' | 'address'>): string {
  const r = s.spec.ready;
  if (r.kind === 'log') return `a line matching /${r.pattern}/`;
  if (r.kind === 'http') return `GET ${httpUrl(s)} to answer 2xx/3xx`;
  return `TCP port ${s.spec.port} on ${s.address} to accept connections`;
}

function httpUrl(s: Pick<StartedUserService, 'spec' | 'address'>): string {
  const r = s.spec.ready;
  if (r.kind !== 'http') throw new Error('not an http readiness check');
  return /^https?:\/\//.test(r.url) ? r.url : `http://${s.address}:${s.spec.port}${r.url}`;
}

async function waitReady(lab: StartedLab, s: StartedUserService, source: string): Promise<void> {
  const where = `${displayName(source)}: services.${s.spec.name}`;
  const done = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      readiness(lab, s, done.signal),
      s.process.exited.then(({ code, signal }) => {
        const how = code === 127 ? 'could not start (code 127: command not found in its host?)' : `exited (${signal ?? `code ${code}`})`;
        throw new LabError('command-failed', `${where} ${how} before it was ready (waiting for ${describeReady(s)}); its last output:\n${s.log.tail()}`, 'run the command by hand from the scenario\'s folder to see why');
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new LabError('timeout', `${where} was not ready within ${s.spec.readyTimeoutMs} ms (waiting for ${describeReady(s)}); its last output:\n${s.log.tail()}`, `raise services.${s.spec.name}.readyTimeoutMs, or check that it listens on 0.0.0.0 or ${s.address}`)),
          s.spec.readyTimeoutMs,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
    done.abort();
  }
}

function readiness(lab: StartedLab, s: StartedUserService, signal: AbortSignal): Promise<void> {
  const r = s.spec.ready;
  if (r.kind === 'log') return s.log.waitFor(new RegExp(r.pattern));
  if (r.kind === 'port' && lab.backend === 'netns') return pollProc(s.process.pid, s.spec.port!, s.address, signal);
  return probeInHost(lab, s, signal);
}

/**
 * netns: the service's own /proc/<pid>/net/tcp{,6} lists the sockets of its network namespace, so
 * a listening socket on the port is seen without running anything inside the lab. A listening TCP
 * socket is one that accepts: the kernel completes the handshake itself.
 */
async function pollProc(pid: number, port: number, address: string, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    if (pid > 0 && listening(pid, port, address)) return;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** Whether /proc/<pid>/net/tcp or tcp6 has a socket in LISTEN (0A) on port, on any address or on address. */
export function listening(pid: number, port: number, address: string, read = (f: string) => readFileSync(f, 'utf8')): boolean {
  const portHex = port.toString(16).toUpperCase().padStart(4, '0');
  const own = parseAddress(address);
  const ownHex = own === null ? '' : Buffer.from([own & 255, (own >>> 8) & 255, (own >>> 16) & 255, own >>> 24]).toString('hex').toUpperCase();
  const anyLocal = new Set(['00000000', ownHex, '00000000000000000000000000000000', `0000000000000000FFFF0000${ownHex}`]);
  for (const table of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = read(`/proc/${pid}/net/${table}`);
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state !== '0A' || !local) continue;
      const [addr, p] = local.split(':');
      if (p === portHex && anyLocal.has(addr)) return true;
    }
  }
  return false;
}

/** Elsewhere, and for HTTP: one Node probe in the service's host retries until it succeeds. */
async function probeInHost(lab: StartedLab, s: StartedUserService, signal: AbortSignal): Promise<void> {
  const target = s.spec.ready.kind === 'http' ? { http: httpUrl(s) } : { host: s.address, port: s.spec.port };
  const probe = lab.spawn(s.spec.host, [process.execPath, '-e', PROBE, JSON.stringify(target)], { env: s.env, stdio: 'ignore' });
  const stop = () => void probe.stop(200);
  signal.addEventListener('abort', stop, { once: true });
  const { code } = await probe.exited;
  signal.removeEventListener('abort', stop);
  if (code !== 0 && !signal.aborted) throw new LabError('command-failed', `services.${s.spec.name}: the readiness probe could not run in host ${s.spec.host} (code ${code})`);
}

// Runs in the service's host: connects (or GETs) every 50 ms until it works; exits 0 then.
const PROBE = `
const t = JSON.parse(process.argv[1]);
const once = () => new Promise((ok) => {
  if (t.http) {
    const mod = t.http.startsWith('https:') ? require('node:https') : require('node:http');
    const req = mod.get(t.http, { timeout: 1000 }, (res) => { res.resume(); ok(res.statusCode < 400); });
    req.on('error', () => ok(false)); req.on('timeout', () => { req.destroy(); ok(false); });
  } else {
    const sock = require('node:net').connect(t.port, t.host, () => { sock.destroy(); ok(true); });
    sock.on('error', () => ok(false));
  }
});
(async () => { while (!(await once())) await new Promise((r) => setTimeout(r, 50)); process.exit(0); })();
`;
