/**
 * The part the browser viewers (Chromium, Firefox) share around their page: one way to stop (close
 * the browser, then exit with a code), SIGTERM as a stop, and the deadline for the first frame.
 */
import { emit } from './contract.js';

export interface BrowserViewerLifecycle {
  /** True once a stop began: a page call that fails under a closing browser is no error then. */
  readonly finished: boolean;
  /** Closes the browser (and whatever `close` also removes) and exits with `code`. */
  stop(code: number): Promise<void>;
  /** The first frame came (or the viewer is done): the first-frame deadline no longer applies. */
  clearDeadline(): void;
}

export function browserViewerLifecycle(timeoutMs: number, close: () => Promise<void>): BrowserViewerLifecycle {
  let finished = false;
  const stop = async (code: number) => {
    finished = true;
    await close().catch(() => {});
    process.exit(code);
  };
  process.on('SIGTERM', () => void stop(143));
  const deadline = setTimeout(() => {
    emit('error', { message: `no first video frame within ${timeoutMs} ms`, stage: 'browser' });
    void stop(1);
  }, timeoutMs);
  return {
    get finished() {
      return finished;
    },
    stop,
    clearDeadline: () => clearTimeout(deadline),
  };
}
