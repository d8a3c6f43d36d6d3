/** The one error type of the lab: a code for programs, a message for people, a hint for what to do. */
export type LabErrorCode =
  | 'usage'
  | 'invalid-file'
  | 'not-found'
  | 'missing-tool'
  | 'permission'
  | 'backend'
  | 'command-failed'
  | 'timeout'
  | 'peer-contract'
  | 'expectation';

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

export function errorMessage(err: unknown): string {
  if (err instanceof LabError) return err.describe();
  if (err instanceof AggregateError) return [err.message, ...err.errors.map((e) => `  - ${errorMessage(e)}`)].join('\n');
  if (err instanceof Error) return err.message;
  return String(err);
}
