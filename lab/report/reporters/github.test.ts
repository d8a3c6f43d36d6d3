import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { MatrixResult } from '../../model/matrix-result.js';
import type { RunResult } from '../../model/run-result.js';
import { projectPath } from '../../util/paths.js';
import { annotationLine, githubReporter } from './github.js';
import type { ReporterIo } from './io.js';

const fixture = <T>(name: string): T => JSON.parse(readFileSync(projectPath('test', 'fixtures', 'results', name), 'utf8'));

function fakeIo(env: Record<string, string> = {}) {
  const out: string[] = [];
  const appended: { file: string; text: string }[] = [];
  const io: ReporterIo = { stdout: (t) => out.push(t), stderr: () => {}, writeFile: () => {}, appendFile: (file, text) => appended.push({ file, text }), env };
  return { io, out, appended };
}

function failedRun(): RunResult {
  const r = fixture<RunResult>('run-symmetric-nat.json');
  return { ...r, passed: false, expectations: [{ name: 'outcome', session: 'viewer', expected: 'direct', actual: 'relay', ok: false }] };
}

describe('github reporter', () => {
  it('a failed run gets one ::error annotation naming the scenario and what failed; a passing run none', async () => {
    const { io, out } = fakeIo();
    const rep = githubReporter(io);
    await rep.onEnd!({ kind: 'run', result: fixture<RunResult>('run-symmetric-nat.json'), reportDir: null });
    expect(out).toEqual([]);
    await rep.onEnd!({ kind: 'run', result: failedRun(), reportDir: null });
    expect(out).toEqual(['::error title=webrtc-lab symmetric-nat::outcome (viewer): expected direct, got relay\n']);
  });

  it('every failed matrix cell gets an ::error, every flaky one a ::warning, missing shards an ::error', async () => {
    const m = fixture<MatrixResult>('matrix-two-presets.json');
    const [a, b, c] = m.cells;
    const cells = [
      { ...a, status: 'failed' as const, attempts: [{ ...a.attempts[0], passed: false, failure: 'ICE failed' }] },
      { ...b, status: 'flaky' as const, attempts: [{ ...b.attempts[0], passed: false, failure: 'timeout' }, { ...b.attempts[0], attempt: 2 }] },
      c,
    ];
    const { io, out } = fakeIo();
    await githubReporter(io).onEnd!({ kind: 'matrix', result: { ...m, cells, missingCells: ['x x y'] }, reportDir: null });
    expect(out).toHaveLength(3);
    expect(out[0]).toMatch(new RegExp(`^::error title=NAT matrix ${a.viewer} x ${a.camera}::expected ${a.expect.outcome} \\(RFC 4787 predicts ${a.predicted}\\), got ${a.outcome}%0A.*run 1 attempt 1: ICE failed\\n$`));
    expect(out[1]).toMatch(new RegExp(`^::warning title=NAT matrix ${b.viewer} x ${b.camera} \\(flaky\\)::passed only on retry: timeout\\n$`));
    expect(out[2]).toBe('::error title=NAT matrix%3A cells missing::the shards do not cover the matrix: x x y\n');
  });

  it('escapes workflow-command syntax in titles and messages', () => {
    expect(annotationLine({ level: 'error', title: 'a: b, c', message: '100% done\r\nnext' })).toBe('::error title=a%3A b%2C c::100%25 done%0D%0Anext');
  });

  it('appends the Markdown summary to $GITHUB_STEP_SUMMARY when it is set, and only then', async () => {
    const withEnv = fakeIo({ GITHUB_STEP_SUMMARY: '/tmp/summary.md' });
    await githubReporter(withEnv.io).onEnd!({ kind: 'run', result: failedRun(), reportDir: null });
    expect(withEnv.appended).toHaveLength(1);
    expect(withEnv.appended[0].file).toBe('/tmp/summary.md');
    expect(withEnv.appended[0].text).toMatch(/^### symmetric-nat: relay \(\*\*expectations not met\*\*\)/);
    const without = fakeIo();
    await githubReporter(without.io).onEnd!({ kind: 'run', result: failedRun(), reportDir: null });
    expect(without.appended).toEqual([]);
    const off = fakeIo({ GITHUB_STEP_SUMMARY: '/tmp/summary.md' });
    await githubReporter(off.io, { summary: false, annotations: false }).onEnd!({ kind: 'run', result: failedRun(), reportDir: null });
    expect([...off.out, ...off.appended]).toEqual([]);
  });
});
