/** A peer as a process inside its host: started with its settings, its JSON-lines events collected. */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { LabProcess, StartedLab } from '../backends/backend.js';
import { projectRoot } from '../util/paths.js';
import { contractProblem } from '../contract/check.js';
import { monotonicMs } from '../util/clock.js';

export interface PeerEvent {
  t: number;
  event: string;
  [field: string]: unknown;
}

export interface RunningPeer {
  name: string;
  process: LabProcess;
  events: PeerEvent[];
  stderr: string[];
  /** Lines on stdout that break the contract (not JSON, no t/event). */
  violations: string[];
  peakRssMb: number | null;
  /** Monotonic ms (util/clock.ts) when it was spawned. */
  spawnedAt: number;
  /** Set once the process has ended. */
  exitCode: number | null;
  /** Resolves with the exit code once the process ended and its output was read. */
  done: Promise<number | null>;
  on(event: string, listener: (e: PeerEvent) => void): void;
}

export function startPeer(lab: StartedLab, name: string, host: string, argv: string[], env: Record<string, string>, image?: string): RunningPeer {
  // Peers run from the project folder, so a command peer can name files relative to it.
  const spawnedAt = monotonicMs();
  const proc = lab.spawn(host, argv, { env, cwd: projectRoot, image });
  const listeners: { event: string; fn: (e: PeerEvent) => void }[] = [];
  const peer: RunningPeer = {
    name,
    process: proc,
    events: [],
    stderr: [],
    violations: [],
    peakRssMb: null,
    spawnedAt,
    exitCode: null,
    done: Promise.resolve(null),
    on: (event, fn) => listeners.push({ event, fn }),
  };
  let lineNo = 0;
  const outDone = new Promise<void>((resolve) => {
    createInterface({ input: proc.stdout })
      .on('line', (line) => {
        lineNo++;
        const problem = contractProblem(line);
        if (problem) {
          peer.violations.push(`stdout line ${lineNo}: ${problem}`);
          return;
        }
        const e = JSON.parse(line) as PeerEvent;
        peer.events.push(e);
        for (const l of listeners) if (l.event === e.event || l.event === '*') l.fn(e);
      })
      .on('close', resolve);
  });
  const errDone = new Promise<void>((resolve) => createInterface({ input: proc.stderr }).on('line', (l) => peer.stderr.push(l)).on('close', resolve));
  const sampler = setInterval(() => sampleRss(peer), 100);
  peer.done = proc.exited.then(async ({ code, signal }) => {
    clearInterval(sampler);
    await Promise.all([outDone, errDone]);
    peer.exitCode = code ?? (signal ? 128 : null);
    return peer.exitCode;
  });
  return peer;
}

/** Peak resident set (VmHWM) of the peer, read while it runs. */
function sampleRss(peer: RunningPeer): void {
  try {
    const status = readFileSync(`/proc/${peer.process.pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
    if (kb) peer.peakRssMb = Math.max(peer.peakRssMb ?? 0, Math.round(kb / 102.4) / 10);
  } catch {
    // exited
  }
}

export function firstEvent(events: PeerEvent[], event: string, where: (e: PeerEvent) => boolean = () => true): PeerEvent | undefined {
  return events.find((e) => e.event === event && where(e));
}
