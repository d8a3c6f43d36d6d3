/** A stack of undo steps: bring-up pushes one per resource; unwinding runs them all, newest first. */
export interface TeardownFailure {
  /** The step's label, e.g. "take the lab down". */
  step: string;
  message: string;
}

export class Teardown {
  private steps: { label: string; undo: () => unknown }[] = [];
  private unwinding: Promise<TeardownFailure[]> | null = null;

  push(label: string, undo: () => unknown): void {
    this.steps.push({ label, undo });
  }

  get size(): number {
    return this.steps.length;
  }

  /** Runs every step even when some fail, then reports all failures together. Idempotent. */
  async unwind(): Promise<void> {
    const failures = await this.settle();
    if (failures.length) throw new AggregateError(failures.map((f) => new Error(`${f.step}: ${f.message}`)), `teardown had ${failures.length} failure(s)`);
  }

  /** Like unwind(), but resolves with the failures instead of throwing them (to record them). */
  settle(): Promise<TeardownFailure[]> {
    this.unwinding ??= (async () => {
      const failures: TeardownFailure[] = [];
      while (this.steps.length) {
        const step = this.steps.pop()!;
        try {
          await step.undo();
        } catch (err) {
          failures.push({ step: step.label, message: (err as Error)?.message ?? String(err) });
        }
      }
      return failures;
    })();
    return this.unwinding;
  }
}

/** Builds with the stack; if building throws, unwinds what was built and rethrows the build error. */
export async function buildOrUnwind<T>(teardown: Teardown, build: () => Promise<T>): Promise<T> {
  try {
    return await build();
  } catch (err) {
    await teardown.unwind().catch(() => {});
    throw err;
  }
}
