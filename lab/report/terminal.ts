/** The run summary a person reads in the terminal (plain text, no colour needed). */
import type { PairView, RunResult, SessionResult } from '../model/run-result.js';
import { TIMELINE_STEPS } from '../model/run-result.js';
import { wireLines } from './wire-lines.js';
import { signalingSteps, stepSentence } from './signaling-steps.js';

export function describeEnd(c: PairView['local']): string {
  const relay = c.candidateType === 'relay' && c.relayProtocol ? ` via TURN/${c.relayProtocol}` : '';
  return `${c.candidateType} ${c.protocol} ${c.address}:${c.port}${relay}`;
}

function pairLine(label: string, p: PairView | null): string {
  if (!p) return `  ${label}: (no selected pair reported)`;
  return `  ${label}: ${describeEnd(p.local)}  <->  ${describeEnd(p.remote)}${p.rttMs !== null ? `  rtt ${p.rttMs} ms` : ''}`;
}

const ms = (v: number | null) => (v === null ? '—' : `${v.toFixed(1)} ms`);

export function sessionSummary(s: SessionResult, r?: Pick<RunResult, 'wire'>): string[] {
  const lines = [`${s.viewer} -> ${s.camera}: ${s.outcome.toUpperCase()}${s.failure ? `  (${s.failure})` : ''}`];
  if (s.outcome !== 'failed') {
    lines.push(`  winning pair: viewer end ${s.candidateTypes.viewer ?? '?'}, camera end ${s.candidateTypes.camera ?? '?'}`);
    lines.push(pairLine("viewer's view", s.selectedPair.viewer), pairLine("camera's view", s.selectedPair.camera));
    if (s.asymmetric) lines.push('  note: the two sides use different pairs: traffic relays in one direction and not in the other');
  }
  if (r) lines.push(...wireLines(s, r));
  return lines;
}

export function timelineLines(s: SessionResult): string[] {
  const out = TIMELINE_STEPS.map(({ key, label }) => `  ${label.padEnd(20)} ${ms(s.timeline[key]).padStart(11)}`);
  return out;
}

/** The signaling protocol's own steps of a session (none for the lab's protocol), ms from the viewer's offer. */
export function signalingStepLines(r: Pick<RunResult, 'events'>, s: Pick<SessionResult, 'viewer' | 'camera'>): string[] {
  const offerT = r.events[s.viewer]?.find((e) => e.event === 'offer-sent')?.t ?? 0;
  return signalingSteps(r, s.viewer, s.camera).map((st) => `  ${ms(st.event.t - offerT).padStart(11)}  ${stepSentence(st)}`);
}

export function runSummary(r: RunResult): string {
  const out: string[] = [];
  out.push(`${r.scenario}: ${r.outcome.toUpperCase()}  (${r.passed ? 'expectations met' : 'EXPECTATIONS NOT MET'})`);
  if (r.description) out.push(r.description);
  out.push(`topology ${r.topology} on ${r.backend}, signaling ${r.signaling ?? 'lab'}, run ${r.runId}`);
  for (const p of r.peers) {
    const behind = p.behind.length ? `behind ${p.behind.map((b) => `${b.router} (${b.nat})`).join(' -> ')}` : 'on the open internet';
    out.push(`  ${p.role.padEnd(6)} ${p.name.padEnd(10)} ${p.stack} on host ${p.host}, ${behind}; ICE ${p.ice.policy}, TURN ${p.ice.turnTransports.join(',')}`);
  }
  out.push('');
  if (r.sessions.length === 1) {
    const s = r.sessions[0];
    out.push(...sessionSummary(s, r), '', 'timeline (ms from the offer):', ...timelineLines(s));
    const steps = signalingStepLines(r, s);
    if (steps.length) out.push(`  ${r.signaling ?? 'signaling'} steps:`, ...steps);
    out.push(`  setup (offer -> datachannel open): ${ms(s.setupMs)};  first frame: ${ms(s.firstFrameMs)}`);
  } else {
    const { summary } = r;
    out.push(`${summary.viewers} viewers: ${summary.connected} connected (${summary.direct} direct, ${summary.relay} relay), ${summary.failed} failed`);
    out.push(`setup p50 ${ms(summary.setupMs.p50)}, p95 ${ms(summary.setupMs.p95)};  first frame p50 ${ms(summary.firstFrameMs.p50)}, p95 ${ms(summary.firstFrameMs.p95)}`);
    for (const s of r.sessions) {
      const pair = s.outcome === 'failed' ? s.failure : `${s.candidateTypes.viewer} <-> ${s.candidateTypes.camera}`;
      const wire = s.wire ? `  wire ${s.wire.outcome ?? '?'}${s.wire.disagreements.length ? ' DISAGREES' : ''}` : '';
      out.push(`  ${s.viewer.padEnd(10)} ${s.outcome.padEnd(7)} ${String(pair).padEnd(24)} setup ${ms(s.setupMs).padStart(10)}  first frame ${ms(s.firstFrameMs).padStart(10)}${wire}`);
      if (s.wire?.disagreements.length) out.push(...wireLines(s, r).slice(1).map((l) => `  ${l}`));
    }
  }
  if (r.repeat) {
    const rp = r.repeat;
    out.push('', `${rp.runs} runs: pass rate ${Math.round(rp.passRate * 100)}% (${rp.status}); setup p50 ${ms(rp.latency.setupMs.p50)}, p95 ${ms(rp.latency.setupMs.p95)}; first frame p50 ${ms(rp.latency.firstFrameMs.p50)}, p95 ${ms(rp.latency.firstFrameMs.p95)}`);
    for (const a of rp.attempts.filter((x) => !x.passed || x.attempt > 1)) out.push(`  run ${a.repeat} attempt ${a.attempt}: ${a.passed ? 'passed' : `FAILED: ${a.failure}`}`);
    for (const c of rp.checks.filter((x) => !x.ok)) out.push(`FAILED ${c.name}: expected ${c.expected}, got ${c.actual}`);
  }
  const failedChecks = r.expectations.filter((c) => !c.ok);
  out.push('');
  if (!r.expectations.length) out.push('no expectations stated');
  else if (!failedChecks.length) out.push(`expectations: ${r.expectations.length} check(s) passed`);
  else for (const c of failedChecks) out.push(`FAILED ${c.name}${c.session ? ` (${c.session})` : ''}: expected ${c.expected}, got ${c.actual}`);
  // Older results (schemaVersion < 4) have no verdict.
  if (r.verdict === 'inconclusive') out.push(`INCONCLUSIVE: the lab could not tell (not a traversal failure): ${(r.inconclusive ?? []).join('; ')}`);
  const o = r.overhead;
  out.push(`wall ${ms(o.wallMs)}: network up at ${ms(o.labUpMs)}, peers loaded at ${ms(o.peersStartedMs)}, services ready at ${ms(o.servicesReadyMs)}, teardown ${ms(o.teardownMs)}`);
  if (r.wire?.captured) out.push(`wire oracle: ${r.wire.packets} packets${r.wire.dropped ? ` (${r.wire.dropped} DROPPED by the kernel: counts are low)` : ''}, added ${ms(r.wire.addedMs)} (parse ${ms(r.wire.parseMs)})`);
  // Older results (schemaVersion 1) have no teardown record.
  for (const f of r.teardown?.failures ?? []) out.push(`TEARDOWN FAILED ${f.step}: ${f.message} (remove what is left: npm run lab -- clean ${r.labId})`);
  return out.join('\n');
}

/** A short Markdown block for a CI job summary. */
export function runMarkdown(r: RunResult): string {
  const lines = [`### ${r.scenario}: ${r.outcome} (${r.passed ? 'expectations met' : '**expectations not met**'})`, '', '| viewer | outcome | viewer end | camera end | setup | first frame |', '|---|---|---|---|---|---|'];
  for (const s of r.sessions) {
    lines.push(`| ${s.viewer} | ${s.outcome} | ${s.candidateTypes.viewer ?? '—'} | ${s.candidateTypes.camera ?? '—'} | ${ms(s.setupMs)} | ${ms(s.firstFrameMs)} |`);
  }
  const failed = r.expectations.filter((c) => !c.ok);
  if (failed.length) lines.push('', ...failed.map((c) => `- ${c.name}${c.session ? ` (${c.session})` : ''}: expected ${c.expected}, got ${c.actual}`));
  return lines.join('\n') + '\n';
}
