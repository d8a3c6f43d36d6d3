/** The one error type of the lab: a code for programs, a message for people, a hint for what to do. */
export type LabErrorCode =
  | 'usage'
  | 'invalid-file'
  | 'not-found'
  | 'exists'
  | 'missing-tool'
  | 'permission'
  | 'backend'
  | 'command-failed'
  | 'timeout'
  | 'peer-contract'
  | 'expectation'
  | 'aborted';

export class LabError extends Error {
  constructor(
    readonly code: LabErrorCode,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'LabError';
  }

  /** One line for a terminal: the message, then the hint if there is one. */
  describe(): string {
    return this.hint ? `${this.message}\n  hint: ${this.hint}` : this.message;
  }
}

/**
 * What an aborted run rejects with: a LabError (code "aborted") named "AbortError", like the DOM's,
 * so `err.name === 'AbortError'` checks work too; the signal's reason is its cause.
 */
export function abortError(reason: unknown, what = 'the run'): LabError {
  const why = reason instanceof Error ? reason.message : reason === undefined ? 'aborted' : String(reason);
  const err = new LabError('aborted', `${what} was aborted (${why}); everything it built was taken down`);
  err.name = 'AbortError';
  (err as { cause?: unknown }).cause = reason;
  return err;
}

export function isAbortError(err: unknown): boolean {
  return err instanceof LabError && err.code === 'aborted';
}

export function errorMessage(err: unknown): string {
  if (err instanceof LabError) return err.describe();
  if (err instanceof AggregateError) return [err.message, ...err.errors.map((e) => `  - ${errorMessage(e)}`)].join('\n');
  if (err instanceof Error) return err.message;
  return String(err);
}
