/**
 * Holds a call after its first frame: counts frames per second (a `frame-rate` event each second),
 * reports every gap in the frames (`media-gap`), and calls `onStall` when the call looks dead: ICE
 * failed, or no frame for `stallMs`, or the last restart brought no frame back within `retryMs`.
 *
 * Why the viewer watches frames and not only ICE: werift has no "disconnected" state, and its RFC
 * 7675 consent check declares "failed" only after 30 s of silence (CONSENT_TIMEOUT); a browser would
 * say "disconnected" within seconds. A stalled stream is what the user sees, so it is the trigger.
 */
import { emit, envNumber, monotonicMs } from './contract.js';

export interface HoldTiming {
  /** A pause between two frames longer than this is a gap (25 fps: 40 ms a frame). */
  gapMs: number;
  /** No frame for this long: restart. */
  stallMs: number;
  /** A restart that brings no frame back within this long is tried again. */
  retryMs: number;
}

export function holdTiming(): HoldTiming {
  return { gapMs: envNumber('LAB_GAP_MS', 500), stallMs: envNumber('LAB_STALL_MS', 1500), retryMs: envNumber('LAB_RETRY_MS', 4000) };
}

const TICK_MS = 100;

export class HoldMonitor {
  started = false;
  onStall: ((reason: string) => Promise<void>) | null = null;
  private lastFrame = monotonicMs();
  private windowStart = 0;
  private windowFrames = 0;
  private restartAt = -Infinity;
  private failure: string | null = null;
  private busy = false;

  constructor(
    private readonly session: string,
    private readonly timing: HoldTiming = holdTiming(),
  ) {}

  /** A whole frame arrived (after the connection's first keyframe). */
  frame(): void {
    const now = monotonicMs();
    if (this.started) {
      if (now - this.lastFrame > this.timing.gapMs) emit('media-gap', { session: this.session, fromT: round(this.lastFrame), toT: round(now) });
      this.windowFrames++;
    }
    this.lastFrame = now;
  }

  /** The connection failed (ICE "failed"): restart without waiting for the stall. */
  failed(reason: string): void {
    if (this.restartAt < this.lastFrame) this.failure = reason;
  }

  /** A restart was just made: the stall clock now waits for its first frame. */
  restarted(): void {
    this.restartAt = monotonicMs();
    this.failure = null;
  }

  /** Resolves once the hold is over. */
  async run(holdMs: number): Promise<void> {
    const start = monotonicMs();
    this.started = true;
    this.windowStart = start;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const now = monotonicMs();
        if (now - this.windowStart >= 1000) this.flushWindow(now);
        if (now - start >= holdMs) {
          clearInterval(timer);
          return resolve();
        }
        this.checkStall(now);
      }, TICK_MS);
    });
    const end = monotonicMs();
    if (end - this.windowStart >= 200) this.flushWindow(end);
    if (end - this.lastFrame > this.timing.gapMs) emit('media-gap', { session: this.session, fromT: round(this.lastFrame), toT: round(end), ongoing: true });
  }

  private flushWindow(now: number): void {
    emit('frame-rate', { session: this.session, frames: this.windowFrames, windowMs: round(now - this.windowStart) });
    this.windowStart = now;
    this.windowFrames = 0;
  }

  private checkStall(now: number): void {
    if (!this.onStall || this.busy) return;
    const waitingForRestart = this.restartAt > this.lastFrame;
    let reason: string | null = null;
    if (waitingForRestart) {
      if (now - this.restartAt > this.timing.retryMs) reason = `the last restart brought no frame within ${this.timing.retryMs} ms`;
    } else if (this.failure) reason = this.failure;
    else if (now - this.lastFrame > this.timing.stallMs) reason = `no frame for ${Math.round(now - this.lastFrame)} ms`;
    if (!reason) return;
    this.busy = true;
    this.onStall(reason)
      .catch((err: Error) => emit('warning', { message: `restart failed: ${err.message}` }))
      .finally(() => (this.busy = false));
  }
}

const round = (x: number) => Math.round(x * 1000) / 1000;
