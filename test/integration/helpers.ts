import { existsSync, readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { NetnsBackend } from '../../lab/backends/netns/netns-backend.js';
import type { StartedLab } from '../../lab/backends/backend.js';
import { topologyFromData } from '../../lab/model/topology-file.js';
import type { Topology } from '../../lab/model/topology.js';
import { startCoturn, type StartedCoturn } from '../../lab/services/coturn.js';
import { projectPath } from '../../lab/util/paths.js';
import type { Backend } from '../../lab/backends/backend.js';
import type { RunResult } from '../../lab/model/run-result.js';
import type { Scenario } from '../../lab/model/scenario.js';
import { runScenario, type RunOptions } from '../../lab/run/run-scenario.js';
import { runRepeated, type RepeatOptions, type RepeatedResult } from '../../lab/run/repeat.js';
import type { TestContext } from 'vitest';

export const backend = new NetnsBackend();

/**
 * runScenario tied to the test: vitest aborts ctx.signal when the test times out (or the run is
 * cancelled), which tears the lab down; the test ends only once it is down, so a timed-out test
 * leaves nothing in the way of the next one.
 */
export function runInTest(ctx: TestContext, scenario: Scenario, on: Backend = backend, opts: RunOptions = {}): Promise<RunResult> {
  const run = runScenario(scenario, on, { ...opts, signal: ctx.signal });
  ctx.onTestFinished(() => run.then(() => {}, () => {}));
  return run;
}

/**
 * One run of a held scenario (`holdMs`), tied to the test. A run that fails before its first frame
 * says nothing about the events (several labs at once on two cores: werift's DTLS sometimes times
 * out, as scenarios.test.ts sees with multi-viewer): it is printed and run once more. A run that
 * got its first frame counts.
 */
export async function runHeld(ctx: TestContext, scenario: Scenario, on: Backend = backend): Promise<RunResult> {
  const r = await runInTest(ctx, scenario, on);
  if (r.sessions[0].call) return r;
  console.log(`${scenario.name} on ${on.name}: no first frame, run again: ${explainRun(r)}`);
  return runInTest(ctx, scenario, on);
}

/** runRepeated tied to the test, like runInTest. */
export function runRepeatedInTest(ctx: TestContext, scenario: Scenario, opts: RepeatOptions, on: Backend = backend): Promise<RepeatedResult> {
  const run = runRepeated(scenario, on, opts, { signal: ctx.signal });
  ctx.onTestFinished(() => run.then(() => {}, () => {}));
  return run;
}

/** Builds a lab (on netns unless told), runs fn, and always takes the lab down. */
export async function withLab<T>(topology: Topology, fn: (lab: StartedLab) => Promise<T>, on: Backend = backend): Promise<T> {
  const lab = await on.up(topology);
  try {
    return await fn(lab);
  } finally {
    await lab.down();
  }
}

export async function withLabAndStun<T>(topology: Topology, fn: (lab: StartedLab, coturn: StartedCoturn) => Promise<T>): Promise<T> {
  return withLab(topology, async (lab) => {
    const coturn = await startCoturn(lab, { addresses: topology.services.addresses, realm: 'lab' });
    try {
      return await fn(lab, coturn);
    } finally {
      await coturn.stop();
    }
  });
}

/** A two-site topology: host a behind NAT preset x, host b behind NAT preset y. */
export function twoSites(x: string, y: string): Topology {
  return topologyFromData(
    {
      name: `${x}-vs-${y}`,
      segments: { internet: { subnet: '203.0.113.0/24' }, lana: { subnet: '192.168.1.0/24' }, lanb: { subnet: '192.168.2.0/24' } },
      routers: { nata: { outside: 'internet', inside: 'lana', nat: x }, natb: { outside: 'internet', inside: 'lanb', nat: y } },
      hosts: { a: { segment: 'lana' }, b: { segment: 'lanb' } },
    },
    'generated',
  );
}

export function labNamespaces(labId?: string): string[] {
  if (!existsSync('/run/netns')) return [];
  return readdirSync('/run/netns').filter((ns) => ns.startsWith(labId ? `wrl-${labId}-` : 'wrl-'));
}

export interface PunchOutcome {
  a: boolean;
  b: boolean;
}

/** UDP hole punching between hosts a and b: each learns its mapping from STUN, then both punch. */
export async function holePunch(lab: StartedLab, opts: { lateMs?: { a?: number; b?: number }; durationMs?: number } = {}): Promise<PunchOutcome> {
  const server = lab.topology.services.addresses[0];
  const tool = projectPath('dist', 'udp-punch.mjs');
  const start = (host: string) => {
    const proc = lab.spawn(host, ['node', tool, server], { stdin: 'pipe' });
    const events: Record<string, unknown>[] = [];
    const waiters: ((e: Record<string, unknown>) => void)[] = [];
    createInterface({ input: proc.stdout }).on('line', (line) => {
      const e = JSON.parse(line) as Record<string, unknown>;
      events.push(e);
      waiters.forEach((w) => w(e));
    });
    const next = (event: string) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const found = events.find((e) => e.event === event);
        if (found) return resolve(found);
        const timer = setTimeout(() => reject(new Error(`${host}: no "${event}" event`)), 15_000);
        waiters.push((e) => e.event === event && (clearTimeout(timer), resolve(e)));
      });
    return { proc, next };
  };
  const a = start('a');
  const b = start('b');
  const [ma, mb] = await Promise.all([a.next('mapped'), b.next('mapped')]);
  const durationMs = opts.durationMs ?? 2500;
  const send = (p: ReturnType<typeof start>, peer: Record<string, unknown>, delayMs = 0) =>
    p.proc.stdin!.write(JSON.stringify({ peer: `${peer.address}:${peer.port}`, delayMs, durationMs }) + '\n');
  send(a, mb, opts.lateMs?.a);
  send(b, ma, opts.lateMs?.b);
  const [da, db] = await Promise.all([a.next('done'), b.next('done')]);
  return { a: da.received === true, b: db.received === true };
}

/** What a failed run's assertion message shows: the scenario, its timings, each session's failure and
 * the wire's paths, every peer's errors, and for black-box apps how far they got (their stdout tail). */
export function explainRun(r: {
  scenario?: string;
  overhead?: { labUpMs: number; servicesReadyMs: number; peersStartedMs: number | null; wallMs: number };
  sessions: { viewer: string; failure: string | null; candidateTypes: object; wire?: { outcome: string | null; directions: { path: { kind: string } | null }[] } | null }[];
  peers: { name: string; errors: string[]; stderr: string[]; app?: { startedMs: number; doneMs: number | null; exitMs: number | null; failure: string | null; stdout: string[] } }[];
  events?: Record<string, { t: number; event: string; [field: string]: unknown }[]>;
}): string {
  const warnings = (peer: string) => (r.events?.[peer] ?? []).filter((e) => e.event === 'warning').slice(-5).map((e) => `${e.t.toFixed(0)} ms: ${String(e.message)}`);
  return JSON.stringify({
    scenario: r.scenario,
    overhead: r.overhead,
    sessions: r.sessions.map((s) => [s.viewer, s.failure ?? s.candidateTypes, s.wire ? [s.wire.outcome, s.wire.directions.map((d) => d.path?.kind ?? null)] : null]),
    peers: r.peers.map((p) => [p.name, p.errors, p.stderr.slice(-5), warnings(p.name), ...(p.app ? [{ startedMs: p.app.startedMs, doneMs: p.app.doneMs, exitMs: p.app.exitMs, failure: p.app.failure, stdout: p.app.stdout.slice(-8) }] : [])]),
  });
}
