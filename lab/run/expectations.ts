/** Checks a scenario's expectations against its sessions; every check says what was expected and what happened. */
import type { ExpectationCheck, SessionResult } from '../model/run-result.js';
import { percentiles, relayProtocolOf, viewerOutcome } from '../model/run-result.js';
import type { Expectation } from '../model/scenario.js';

const list = <T>(v: T | T[] | undefined): T[] | null => (v === undefined ? null : Array.isArray(v) ? v : [v]);

export function checkExpectations(expect: Expectation, sessions: Omit<SessionResult, 'prediction' | 'wire'>[]): ExpectationCheck[] {
  const checks: ExpectationCheck[] = [];
  const oneOf = (name: string, allowed: string[] | null, actual: (s: Omit<SessionResult, 'prediction' | 'wire'>) => string | null) => {
    if (!allowed) return;
    for (const s of sessions) {
      const a = actual(s);
      checks.push({ name, session: s.viewer, expected: allowed.join(' | '), actual: a ?? 'none', ok: a !== null && allowed.includes(a) });
    }
  };
  const expand = (v: Expectation['outcome']) => list(v)?.flatMap((o) => (o === 'connected' ? ['direct', 'relay'] : [o])) ?? null;
  oneOf('outcome', expand(expect.outcome), (s) => s.outcome);
  oneOf('viewerOutcome', expand(expect.viewerOutcome), (s) => viewerOutcome(s));
  oneOf('viewerCandidate', list(expect.viewerCandidate), (s) => s.candidateTypes.viewer);
  oneOf('cameraCandidate', list(expect.cameraCandidate), (s) => s.candidateTypes.camera);
  oneOf('relayProtocol', list(expect.relayProtocol), (s) => relayProtocolOf(s.selectedPair.viewer, s.selectedPair.camera));
  for (const metric of ['setupMs', 'firstFrameMs'] as const) {
    const budget = expect[metric];
    if (!budget) continue;
    if (budget.max !== undefined) {
      for (const s of sessions) {
        const v = s[metric];
        checks.push({ name: `${metric}.max`, session: s.viewer, expected: `< ${budget.max} ms`, actual: v === null ? 'never' : `${v} ms`, ok: v !== null && v < budget.max });
      }
    }
    const p = percentiles(sessions.map((s) => s[metric]));
    for (const q of ['p50', 'p95'] as const) {
      const limit = budget[q];
      if (limit === undefined) continue;
      const missing = sessions.some((s) => s[metric] === null);
      const value = p[q];
      checks.push({
        name: `${metric}.${q}`,
        session: null,
        expected: `< ${limit} ms over ${sessions.length} session(s)`,
        actual: value === null || missing ? `${value ?? 'none'} ms (${sessions.filter((s) => s[metric] === null).length} without a value)` : `${value} ms`,
        ok: value !== null && !missing && value < limit,
      });
    }
  }
  return checks;
}
