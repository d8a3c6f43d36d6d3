import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Backend } from '../backends/backend.js';
import type { RunResult } from '../model/run-result.js';
import { loadScenario } from '../model/scenario.js';
import { ReporterMux } from '../report/reporter.js';
import type { RunOptions } from '../run/run-scenario.js';
import { projectPath } from '../util/paths.js';
import { runWithReports } from './run.js';

const real: RunResult = JSON.parse(readFileSync(projectPath('test', 'fixtures', 'results', 'run-symmetric-nat.json'), 'utf8'));
const backend = { name: 'netns' } as Backend;
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Stands in for runScenario: records its options, reports progress, "captures" one interface, fails as told. */
function fakeRuns(passes: boolean[]) {
  const calls: RunOptions[] = [];
  const runOne = async (_s: unknown, _b: unknown, opts: RunOptions = {}): Promise<RunResult> => {
    calls.push(opts);
    opts.onProgress?.('building symmetric');
    const passed = passes[calls.length - 1];
    const captures = opts.captureDir ? [{ node: 'nata', iface: 'wan0', file: `${opts.captureDir.split('/').pop()}/nata-wan0.pcap` }] : [];
    return { ...real, runId: `attempt-${calls.length}`, passed, outcome: passed ? 'relay' : 'failed', captures, expectations: [{ name: 'outcome', session: 'viewer', expected: 'relay', actual: passed ? 'relay' : 'failed', ok: passed }] };
  };
  return { calls, runOne };
}

function recorder() {
  const lines: string[] = [];
  const runs: string[] = [];
  const mux = new ReporterMux([{ name: 'rec', reporter: { onProgress: (l) => void lines.push(l), onRunEnd: (r, a) => void runs.push(`${a.repeat}.${a.attempt} ${r.outcome}`) } }]);
  return { lines, runs, mux };
}

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'lab-run-test-'));
  dirs.push(d);
  return d;
}

describe('runWithReports', () => {
  it('with --repeat and --retries, every run gets its own capture folder and its progress, tagged; the result lists every capture', async () => {
    const { calls, runOne } = fakeRuns([true, false, true]);
    const { lines, runs, mux } = recorder();
    const reportsDir = tmp();
    const { result, reportDir } = await runWithReports(loadScenario('symmetric-nat'), backend, { repeat: { repeat: 2, retries: 1, minPassRate: 1 }, capture: true, explain: false, reportsDir }, mux, runOne);
    expect(calls.map((c) => c.captureDir)).toEqual([join(reportDir!, 'capture-r1a1'), join(reportDir!, 'capture-r2a1'), join(reportDir!, 'capture-r2a2')]);
    expect(calls.every((c) => typeof c.onProgress === 'function')).toBe(true);
    expect(lines.filter((l) => l.endsWith('building symmetric'))).toEqual(['[run 1] building symmetric', '[run 2] building symmetric', '[run 2 retry 1] building symmetric']);
    expect(runs).toEqual(['1.1 relay', '2.1 failed', '2.2 relay']);
    expect(result.captures.map((c) => c.file)).toEqual(['capture-r1a1/nata-wan0.pcap', 'capture-r2a1/nata-wan0.pcap', 'capture-r2a2/nata-wan0.pcap']);
    expect(result.repeat).toMatchObject({ runs: 2, status: 'flaky', passRate: 1 });
    expect(result.runId).toBe(reportDir!.split('/').pop());
    expect(JSON.parse(readFileSync(join(reportDir!, 'result.json'), 'utf8')).captures).toHaveLength(3);
  });

  it('a single run captures into capture/ and its progress reaches the reporters untagged', async () => {
    const { calls, runOne } = fakeRuns([true]);
    const { lines, mux } = recorder();
    const { reportDir } = await runWithReports(loadScenario('symmetric-nat'), backend, { repeat: null, capture: true, explain: true, reportsDir: tmp() }, mux, runOne);
    expect(calls.map((c) => c.captureDir)).toEqual([join(reportDir!, 'capture')]);
    expect(lines).toEqual(['building symmetric']);
    expect(existsSync(join(reportDir!, 'explain.txt'))).toBe(true);
  });

  it('passes the abort signal to every run, and an aborted signal starts nothing', async () => {
    const { calls, runOne } = fakeRuns([true, true]);
    const ctl = new AbortController();
    await runWithReports(loadScenario('symmetric-nat'), backend, { repeat: { repeat: 2, retries: 0, minPassRate: 1 }, capture: false, explain: false, reportsDir: null, signal: ctl.signal }, recorder().mux, runOne);
    expect(calls.map((c) => c.signal)).toEqual([ctl.signal, ctl.signal]);
    ctl.abort(new Error('stop'));
    await expect(runWithReports(loadScenario('symmetric-nat'), backend, { repeat: null, capture: false, explain: false, reportsDir: null, signal: ctl.signal }, recorder().mux, runOne)).rejects.toThrow('stop');
    expect(calls).toHaveLength(2);
  });
});
