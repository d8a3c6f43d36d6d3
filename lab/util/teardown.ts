/** A stack of undo steps: bring-up pushes one per resource; unwinding runs them all, newest first. */
export class Teardown {
  private steps: { label: string; undo: () => unknown }[] = [];
  private unwinding: Promise<void> | null = null;

  push(label: string, undo: () => unknown): void {
    this.steps.push({ label, undo });
  }

  get size(): number {
    return this.steps.length;
  }

  /** Runs every step even when some fail, then reports all failures together. Idempotent. */
  unwind(): Promise<void> {
    this.unwinding ??= (async () => {
      const failures: Error[] = [];
      while (this.steps.length) {
        const step = this.steps.pop()!;
        try {
          await step.undo();
        } catch (err) {
          failures.push(new Error(`${step.label}: ${(err as Error).message ?? err}`));
        }
      }
      if (failures.length) throw new AggregateError(failures, `teardown had ${failures.length} failure(s)`);
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
