import { describe, expect, it } from 'vitest';
import { ReporterMux, type Reporter, type ReporterFailure } from './reporter.js';
import type { RunResult } from '../model/run-result.js';

const result = { scenario: 's', passed: true } as RunResult;

describe('reporter multiplexer', () => {
  it('one reporter that throws (sync or async, in any hook) is recorded and the others still get every hook', async () => {
    const seen: string[] = [];
    const good: Reporter = {
      onBegin: (b) => void seen.push(`begin ${b.name}`),
      onProgress: (l) => void seen.push(`progress ${l}`),
      onRunEnd: (r, a) => void seen.push(`run ${r.scenario} ${a.repeat}.${a.attempt}`),
      onEnd: (e) => void seen.push(`end ${e.kind}`),
    };
    const broken: Reporter = {
      onBegin: () => {
        throw new Error('begin broke');
      },
      onProgress: () => {
        throw new Error('progress broke');
      },
      onRunEnd: async () => {
        throw new Error('async broke');
      },
      onEnd: () => Promise.reject(new Error('end broke')),
    };
    const told: ReporterFailure[] = [];
    const mux = new ReporterMux([{ name: 'broken', reporter: broken }, { name: 'good', reporter: good }], (f) => told.push(f));
    await mux.begin({ kind: 'run', name: 's', runId: 'r', backend: 'netns', planned: 1 });
    mux.progress('building');
    await mux.runEnd(result, { repeat: 1, attempt: 1 });
    await mux.end({ kind: 'run', result, reportDir: null });
    expect(seen).toEqual(['begin s', 'progress building', 'run s 1.1', 'end run']);
    expect(mux.failures).toEqual([
      { reporter: 'broken', hook: 'onBegin', message: 'begin broke' },
      { reporter: 'broken', hook: 'onProgress', message: 'progress broke' },
      { reporter: 'broken', hook: 'onRunEnd', message: 'async broke' },
      { reporter: 'broken', hook: 'onEnd', message: 'end broke' },
    ]);
    expect(told).toEqual(mux.failures);
  });

  it('a failure callback that throws does not escape either', async () => {
    const mux = new ReporterMux([{ name: 'x', reporter: { onEnd: () => { throw new Error('no'); } } }], () => {
      throw new Error('callback broke too');
    });
    await expect(mux.end({ kind: 'run', result, reportDir: null })).resolves.toBeUndefined();
    expect(mux.failures).toHaveLength(1);
  });

  it('hooks are optional; wantsProgress says whether anyone listens', () => {
    expect(new ReporterMux([{ name: 'a', reporter: { onEnd: () => {} } }]).wantsProgress).toBe(false);
    expect(new ReporterMux([{ name: 'a', reporter: { onProgress: () => {} } }]).wantsProgress).toBe(true);
  });
});
