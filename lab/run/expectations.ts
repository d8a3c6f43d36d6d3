/** Checks a scenario's expectations against its sessions; every check says what was expected and what happened. */
import type { ExpectationCheck, SessionResult } from '../model/run-result.js';
import { percentiles, relayProtocolOf, viewerOutcome } from '../model/run-result.js';
import type { Expectation } from '../model/scenario.js';

/** A session as expectations see it: the held call is there when the scenario holds one. */
type JudgedSession = Omit<SessionResult, 'prediction' | 'wire' | 'call'> & { call?: SessionResult['call'] };

const list = <T>(v: T | T[] | undefined): T[] | null => (v === undefined ? null : Array.isArray(v) ? v : [v]);

export function checkExpectations(expect: Expectation, sessions: JudgedSession[]): ExpectationCheck[] {
  const checks: ExpectationCheck[] = [];
  const oneOf = (name: string, allowed: string[] | null, actual: (s: JudgedSession) => string | null) => {
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
  checks.push(...callChecks(expect, sessions));
  return checks;
}

/** recovery, outage, minFps, afterEvents: judged on each session's held call. */
function callChecks(expect: Expectation, sessions: JudgedSession[]): ExpectationCheck[] {
  const checks: ExpectationCheck[] = [];
  const noCall = (name: string, expected: string, s: { viewer: string }) => checks.push({ name, session: s.viewer, expected, actual: 'no held call (no first frame, or no holdMs)', ok: false });
  for (const s of sessions) {
    const call = s.call;
    if (expect.recovery) {
      const expected = `<= ${expect.recovery.maxMs} ms`;
      if (!call) noCall('recovery', expected, s);
      else if (!call.events.length) checks.push({ name: 'recovery', session: s.viewer, expected, actual: 'no events ran in this session', ok: false });
      for (const e of call?.events ?? []) {
        const actual = e.appliedMs === null ? `never applied${e.error ? `: ${e.error}` : ''}` : e.recoveryMs === null ? 'frames never came back' : `${e.recoveryMs} ms`;
        checks.push({ name: `recovery.events[${e.index}] ${e.label}`, session: s.viewer, expected, actual, ok: e.recoveryMs !== null && e.recoveryMs <= expect.recovery.maxMs });
      }
    }
    if (expect.outage) {
      const expected = `each < ${expect.outage.maxMs} ms`;
      if (!call) noCall('outage', expected, s);
      else {
        const worst = [...call.outages].sort((a, b) => b.durationMs - a.durationMs)[0];
        const actual = worst ? `longest ${worst.durationMs} ms${worst.ongoing ? ' (never ended)' : ''}${worst.cause ? ` after ${worst.cause}` : ''}, ${call.outages.length} outage(s)` : 'no outage';
        checks.push({ name: 'outage.max', session: s.viewer, expected, actual, ok: !worst || (!worst.ongoing && worst.durationMs < expect.outage.maxMs) });
      }
    }
    if (expect.minFps !== undefined) {
      const expected = `>= ${expect.minFps} fps in every second`;
      if (!call) noCall('minFps', expected, s);
      else checks.push({ name: 'minFps', session: s.viewer, expected, actual: call.minFps === null ? 'no full second' : `${call.minFps} fps`, ok: call.minFps !== null && call.minFps >= expect.minFps });
    }
    if (expect.afterEvents) {
      const expected = expect.afterEvents === 'connected' ? 'direct | relay' : expect.afterEvents;
      if (!call) noCall('afterEvents', expected, s);
      else checks.push({ name: 'afterEvents', session: s.viewer, expected, actual: call.finalPath ?? 'no frames at the end', ok: call.finalPath !== null && expected.split(' | ').includes(call.finalPath) });
    }
  }
  return checks;
}
