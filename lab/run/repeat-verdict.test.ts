import { describe, expect, it } from 'vitest';
import type { RunResult } from '../model/run-result.js';
import { loadScenario } from '../model/scenario.js';
import { repeatedRunResult, runRepeated } from './repeat.js';

const scenario = loadScenario('port-restricted-cone');
const failedCheck = { name: 'outcome', session: 'viewer', expected: 'direct', actual: 'failed', ok: false };
const run = (verdict: RunResult['verdict']): RunResult =>
  ({
    passed: verdict === 'passed',
    verdict,
    inconclusive: verdict === 'inconclusive' ? ['the machine was saturated: load average 6.0 on 2 CPU(s)', 'session viewer: ICE connected (a path was found) but the DTLS handshake never finished'] : null,
    outcome: verdict === 'passed' ? 'direct' : 'failed',
    setupMs: verdict === 'passed' ? 700 : null,
    firstFrameMs: verdict === 'passed' ? 690 : null,
    sessions: [{ viewer: 'viewer', outcome: verdict === 'passed' ? 'direct' : 'failed', failure: verdict === 'passed' ? null : 'viewer viewer: no first video frame', setupMs: 700, firstFrameMs: 690 }],
    expectations: verdict === 'passed' ? [] : [failedCheck],
    captures: [],
  }) as unknown as RunResult;

async function repeated(verdicts: RunResult['verdict'][]) {
  const queue = [...verdicts];
  const opts = { repeat: verdicts.length, retries: 0, minPassRate: 1 };
  const r = await runRepeated(scenario, {} as never, opts, {}, undefined, async () => run(queue.shift()!));
  return { r, result: repeatedRunResult('id', opts, r) };
}

describe('a repeated run under load', () => {
  it('inconclusive when every failed run was, and the attempt says so first', async () => {
    const { r, result } = await repeated(['passed', 'inconclusive']);
    expect(result.passed).toBe(false);
    expect(result.verdict).toBe('inconclusive');
    expect(result.inconclusive?.[0]).toMatch(/^the machine was saturated/);
    expect(r.attempts[1].failure).toMatch(/^INCONCLUSIVE \(the machine was saturated.*\); viewer viewer: no first video frame/);
  });

  it('one clear failure among them makes it failed', async () => {
    const { result } = await repeated(['inconclusive', 'failed']);
    expect(result.verdict).toBe('failed');
    expect(result.inconclusive).toBeNull();
  });

  it('passed when the checks over all runs hold', async () => {
    const { result } = await repeated(['passed', 'passed']);
    expect(result.verdict).toBe('passed');
  });
});
