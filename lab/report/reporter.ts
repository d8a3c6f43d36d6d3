/**
 * Reporters: every hook optional, fed by a multiplexer that keeps one broken reporter from failing
 * the run (its error is recorded and the others go on). Reporters read results only: they never
 * touch a lab.
 */
import type { MatrixCell, MatrixResult } from '../model/matrix-result.js';
import type { RunResult } from '../model/run-result.js';
import { errorMessage } from '../model/errors.js';

export interface ReportBegin {
  kind: 'run' | 'matrix' | 'merge';
  /** The scenario, or "nat-matrix". */
  name: string;
  /** Id of the report folder (a matrix gets its id when it ends: null). */
  runId: string | null;
  backend: string | null;
  /** Runs (with repeats, before retries) or cells planned. */
  planned: number;
}

/** One run finished (every repeat and retry of a scenario is one). */
export interface RunAttemptInfo {
  repeat: number;
  attempt: number;
}

export type ReportEnd =
  | { kind: 'run'; result: RunResult; reportDir: string | null }
  | { kind: 'matrix'; result: MatrixResult & { missingCells?: string[] }; reportDir: string | null };

export interface Reporter {
  onBegin?(begin: ReportBegin): void | Promise<void>;
  /** One line of what the lab is doing (bring-up steps, peer events, cells done). */
  onProgress?(line: string): void;
  onRunEnd?(result: RunResult, attempt: RunAttemptInfo): void | Promise<void>;
  onCellEnd?(cell: MatrixCell): void | Promise<void>;
  onEnd?(end: ReportEnd): void | Promise<void>;
}

export interface ReporterFailure {
  reporter: string;
  hook: keyof Reporter;
  message: string;
}

type Named = { name: string; reporter: Reporter };

/** Fans every hook out to all reporters, in order; a reporter that throws is recorded, not fatal. */
export class ReporterMux {
  readonly failures: ReporterFailure[] = [];
  private readonly reporters: Named[];

  constructor(reporters: Named[], private readonly onFailure: (f: ReporterFailure) => void = () => {}) {
    this.reporters = reporters;
  }

  get size(): number {
    return this.reporters.length;
  }

  /** True when some reporter listens for progress (callers skip building progress lines otherwise). */
  get wantsProgress(): boolean {
    return this.reporters.some((r) => r.reporter.onProgress);
  }

  begin(b: ReportBegin): Promise<void> {
    return this.all('onBegin', (r) => r.onBegin?.(b));
  }

  progress(line: string): void {
    for (const r of this.reporters) {
      if (!r.reporter.onProgress) continue;
      try {
        const p = r.reporter.onProgress(line) as unknown;
        if (p instanceof Promise) p.catch((err) => this.fail(r.name, 'onProgress', err));
      } catch (err) {
        this.fail(r.name, 'onProgress', err);
      }
    }
  }

  runEnd(result: RunResult, attempt: RunAttemptInfo): Promise<void> {
    return this.all('onRunEnd', (r) => r.onRunEnd?.(result, attempt));
  }

  cellEnd(cell: MatrixCell): Promise<void> {
    return this.all('onCellEnd', (r) => r.onCellEnd?.(cell));
  }

  end(e: ReportEnd): Promise<void> {
    return this.all('onEnd', (r) => r.onEnd?.(e));
  }

  private async all(hook: keyof Reporter, call: (r: Reporter) => void | Promise<void>): Promise<void> {
    for (const r of this.reporters) {
      if (!r.reporter[hook]) continue;
      try {
        await call(r.reporter);
      } catch (err) {
        this.fail(r.name, hook, err);
      }
    }
  }

  private fail(reporter: string, hook: keyof Reporter, err: unknown): void {
    const f = { reporter, hook, message: errorMessage(err) };
    this.failures.push(f);
    try {
      this.onFailure(f);
    } catch {
      // whoever is told about a failure must not become one
    }
  }
}
