/** Collects a stream's output line by line, and lets callers wait for a line to appear. */
import type { Readable } from 'node:stream';
import { LabError } from '../model/errors.js';
import { monotonicMs } from './clock.js';

export interface LoggedLine {
  t: number;
  line: string;
}

export class LineLog {
  readonly lines: LoggedLine[] = [];
  private waiters: { pattern: RegExp; resolve: (l: string) => void }[] = [];

  follow(stream: Readable): void {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop()!;
      for (const line of parts) this.add(line);
    });
    stream.on('end', () => {
      if (partial) this.add(partial);
      partial = '';
    });
  }

  add(line: string): void {
    this.lines.push({ t: monotonicMs(), line });
    this.waiters = this.waiters.filter((w) => {
      if (!w.pattern.test(line)) return true;
      w.resolve(line);
      return false;
    });
  }

  waitFor(pattern: RegExp, timeoutMs: number): Promise<string> {
    const seen = this.lines.find((l) => pattern.test(l.line));
    if (seen) return Promise.resolve(seen.line);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new LabError('timeout', `no line matching ${pattern} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ pattern, resolve: (l) => (clearTimeout(timer), resolve(l)) });
    });
  }

  /** The first line matching pattern, or null if `end` (a process's exit) comes first; no timer. */
  lineBefore(pattern: RegExp, end: Promise<unknown>): Promise<string | null> {
    const seen = this.lines.find((l) => pattern.test(l.line));
    if (seen) return Promise.resolve(seen.line);
    return new Promise((resolve) => {
      const waiter = { pattern, resolve };
      this.waiters.push(waiter);
      const gone = () => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(null);
      };
      end.then(gone, gone);
    });
  }

  since(t: number): string[] {
    return this.lines.filter((l) => l.t >= t).map((l) => l.line);
  }

  tail(n: number): string {
    return this.lines.slice(-n).map((l) => l.line).join('\n');
  }
}
