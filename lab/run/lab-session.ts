/**
 * One lab's life, for every composition that builds one (a scenario run, verify-nat, `up`): a lab
 * id chosen before anything exists, a reaper watching the owner from the start, a scratch folder,
 * a teardown stack, and an AbortSignal that cuts any step short. close() unwinds everything,
 * newest first, and reports what failed instead of throwing it, so callers can record it.
 *
 *   const session = LabSession.open(backend, { signal });
 *   try { const lab = await session.up(topology); ...await session.step(work)... }
 *   finally { const teardown = await session.close(); }
 */
import { rmSync } from 'node:fs';
import type { Backend, StartedLab, UpOptions } from '../backends/backend.js';
import { markHandedOver } from '../backends/reap.js';
import { abortError } from '../model/errors.js';
import type { Topology } from '../model/topology.js';
import { monotonicMs, round } from '../util/clock.js';
import { newId } from '../util/ids.js';
import { Teardown, type TeardownFailure } from '../util/teardown.js';
import { startReaper, type Reaper, type SharedReaper } from './reaper.js';
import { makeScratch } from './scratch.js';

export interface LabSessionOptions {
  /** Aborting it makes the pending step reject with an AbortError (a LabError, code "aborted"). */
  signal?: AbortSignal;
  /** What the rejection calls the work ("the run", "verify-nat of full-cone"). */
  what?: string;
  /** A reaper that watches many labs (a matrix worker's); without it the session starts its own. */
  reaper?: SharedReaper;
}

/** What taking a lab down went like: recorded in results, never thrown away. */
export interface TeardownRecord {
  ok: boolean;
  failures: TeardownFailure[];
  ms: number;
}

export class LabSession {
  readonly labId = newId();
  readonly scratch: string;
  readonly signal: AbortSignal;
  private readonly teardown = new Teardown();
  private readonly reaper: Reaper;
  private lab: StartedLab | null = null;
  private closing: Promise<TeardownRecord> | null = null;

  private constructor(
    readonly backend: Backend,
    private readonly what: string,
    signal: AbortSignal | undefined,
    shared: SharedReaper | undefined,
  ) {
    this.signal = signal ?? new AbortController().signal;
    // The reaper first: from here on, whatever kills this process, the lab id is cleaned.
    this.reaper = shared ? shared.forLab(this.labId) : startReaper(this.labId, backend.name);
    try {
      const scratch = makeScratch(this.labId);
      this.scratch = scratch;
      this.teardown.push('remove scratch folder', () => rmSync(scratch, { recursive: true, force: true }));
    } catch (err) {
      void this.reaper.release();
      throw err;
    }
  }

  static open(backend: Backend, opts: LabSessionOptions = {}): LabSession {
    if (opts.signal?.aborted) throw abortError(opts.signal.reason, opts.what);
    return new LabSession(backend, opts.what ?? 'the run', opts.signal, opts.reaper);
  }

  /** The lab, once up() resolved. */
  get started(): StartedLab | null {
    return this.lab;
  }

  /** Builds the topology under this session's lab id; the lab is taken down by close(), even if up() was cut short. */
  async up(topology: Topology, opts: Omit<UpOptions, 'labId'> = {}): Promise<StartedLab> {
    const building = this.backend.up(topology, { ...opts, labId: this.labId });
    // An abort does not stop a bring-up half-way: the lab is taken down once it is built (a failed
    // bring-up unwinds itself).
    this.defer('take the lab down', async () => (await building.catch(() => null))?.down());
    this.lab = await this.step(building);
    this.reaper.built();
    return this.lab;
  }

  /** Pushes an undo step: close() runs it, after every step pushed later. */
  defer(label: string, undo: () => unknown): void {
    this.teardown.push(label, undo);
  }

  /** Waits for work, but rejects with an AbortError as soon as the signal aborts. */
  step<T>(work: Promise<T>): Promise<T> {
    if (this.signal.aborted) {
      work.catch(() => {});
      return Promise.reject(abortError(this.signal.reason, this.what));
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(abortError(this.signal.reason, this.what));
      this.signal.addEventListener('abort', onAbort, { once: true });
      work.then(
        (v) => (this.signal.removeEventListener('abort', onAbort), resolve(v)),
        (e) => (this.signal.removeEventListener('abort', onAbort), reject(e)),
      );
    });
  }

  throwIfAborted(): void {
    if (this.signal.aborted) throw abortError(this.signal.reason, this.what);
  }

  /** Unwinds every step (all of them, even when some fail), then releases the reaper. Idempotent. */
  close(): Promise<TeardownRecord> {
    this.closing ??= (async () => {
      const t = monotonicMs();
      const failures = await this.teardown.settle();
      await this.reaper.release();
      return { ok: failures.length === 0, failures, ms: round(monotonicMs() - t) };
    })();
    return this.closing;
  }

  /**
   * The lab goes on after this process (`up`): only the scratch folder is removed, the reaper is
   * released, and the lab is marked as kept on purpose; `down <id>` or `clean` removes it later.
   */
  async handOver(): Promise<StartedLab> {
    const lab = this.lab;
    if (!lab) throw new Error('handOver() before up()');
    markHandedOver(lab.id);
    rmSync(this.scratch, { recursive: true, force: true });
    this.closing = Promise.resolve({ ok: true, failures: [], ms: 0 });
    await this.reaper.release();
    return lab;
  }
}
