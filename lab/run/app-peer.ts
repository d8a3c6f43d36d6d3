/**
 * A black-box peer (kind "app"): a program that knows nothing of the lab. Its output is not read as
 * events; the lab keeps the last lines of it and writes its own timeline (started, done, exit) as
 * the peer's events. It is done once it exits 0, prints a line matching `done.log`, or stays up for
 * `holdMs`; it fails if it exits otherwise first, or is not done by the deadline.
 */
import { createInterface } from 'node:readline';
import type { StartedLab } from '../backends/backend.js';
import type { AppPeerSpec } from '../model/scenario.js';
import { monotonicMs } from '../util/clock.js';
import { projectRoot } from '../util/paths.js';
import type { PeerEvent, RunningPeer } from './peer-process.js';

/** Lines of each stream the lab keeps (the last ones). */
export const APP_KEPT_LINES = 100;

export type AppVerdict = { ok: true; via: 'exit' | 'log' | 'hold'; at: number } | { ok: false; failure: string; at: number };

/** What the result reports of an app peer (times are the lab's monotonic ms). */
export interface AppFacts {
  /** Kind "browser": the runner records the page (its stdout is events). */
  browser: boolean;
  startedAt: number;
  verdict: AppVerdict | null;
  exitedAt: number | null;
  stdout: string[];
  stderrTail: string[];
}

export interface RunningApp extends RunningPeer {
  app: AppFacts;
  /** Resolves once it is done or failed (never rejects). */
  verdict: Promise<AppVerdict>;
}

function keep(lines: string[], line: string): void {
  lines.push(line);
  if (lines.length > APP_KEPT_LINES) lines.shift();
}

function recordedEvent(line: string): PeerEvent | null {
  try {
    const e = JSON.parse(line) as PeerEvent;
    return typeof e.t === 'number' && typeof e.event === 'string' ? e : null;
  } catch {
    return null;
  }
}

export function startAppPeer(lab: StartedLab, name: string, host: string, argv: string[], spec: AppPeerSpec, env: Record<string, string>, deadlineMs: number): RunningApp {
  const proc = lab.spawn(host, argv, { env, cwd: projectRoot });
  const startedAt = monotonicMs();
  const events: PeerEvent[] = [{ t: startedAt, event: 'started', stack: spec.browser ? 'browser' : 'app', by: 'lab', command: spec.command }];
  const facts: AppFacts = { browser: spec.browser !== undefined, startedAt, verdict: null, exitedAt: null, stdout: [], stderrTail: [] };
  const stderr: string[] = [];
  let settle: (v: AppVerdict) => void = () => {};
  const verdict = new Promise<AppVerdict>((resolve) => (settle = resolve));
  const decide = (v: AppVerdict) => {
    if (facts.verdict) return;
    facts.verdict = v;
    events.push(v.ok ? { t: v.at, event: 'done', via: v.via, by: 'lab' } : { t: v.at, event: 'error', message: v.failure, by: 'lab' });
    clearTimeout(deadline);
    clearTimeout(hold);
    settle(v);
  };
  const pattern = spec.doneLog === null ? null : new RegExp(spec.doneLog);
  // The browser runner is the lab's own: its stdout lines are what it recorded of the page.
  const recorded = spec.browser !== undefined;
  const onLine = (lines: string[]) => (line: string) => {
    if (recorded && lines === facts.stdout) {
      const e = recordedEvent(line);
      if (e) return void events.push(e);
    }
    keep(lines, line);
    if (pattern?.test(line)) decide({ ok: true, via: 'log', at: monotonicMs() });
  };
  const outDone = new Promise<void>((resolve) => createInterface({ input: proc.stdout }).on('line', onLine(facts.stdout)).on('close', resolve));
  const errDone = new Promise<void>((resolve) =>
    createInterface({ input: proc.stderr })
      .on('line', (l) => (onLine(facts.stderrTail)(l), keep(stderr, l)))
      .on('close', resolve),
  );
  // A browser's holdMs counts from its page's connection: the runner keeps it and exits 0 after.
  const hold = spec.holdMs === null || recorded ? undefined : setTimeout(() => decide({ ok: true, via: 'hold', at: monotonicMs() }), spec.holdMs);
  const how = recorded ? 'a peer connection of the page connected, every action done, then holdMs up' : [spec.doneLog !== null ? `print a line matching /${spec.doneLog}/` : null, spec.holdMs !== null ? `stay up ${spec.holdMs} ms` : null, 'exit 0'].filter(Boolean).join(', ');
  const deadline = setTimeout(() => decide({ ok: false, failure: `not done within ${deadlineMs} ms (done means: ${how}), stopped by the lab`, at: monotonicMs() }), deadlineMs);
  const peer: RunningApp = {
    name,
    process: proc,
    events,
    stderr,
    violations: [],
    peakRssMb: null,
    spawnedAt: startedAt,
    exitCode: null,
    done: Promise.resolve(null),
    on: () => {},
    app: facts,
    verdict,
  };
  peer.done = proc.exited.then(async ({ code, signal }) => {
    await Promise.all([outDone, errDone]);
    const at = monotonicMs();
    facts.exitedAt = at;
    peer.exitCode = code ?? (signal ? 128 : null);
    events.push({ t: at, event: 'exit', code: peer.exitCode, signal, by: 'lab' });
    const last = facts.stderrTail.at(-1) ?? facts.stdout.at(-1);
    const error = recorded ? [...events].reverse().find((e) => e.event === 'error') : undefined;
    if (error && peer.exitCode !== 0) return (decide({ ok: false, failure: String(error.message), at }), peer.exitCode);
    decide(peer.exitCode === 0 ? { ok: true, via: 'exit', at } : { ok: false, failure: `exited with code ${peer.exitCode}${signal ? ` (${signal})` : ''} before it was done (${how})${last ? `; last line: ${last}` : ''}`, at });
    return peer.exitCode;
  });
  return peer;
}
