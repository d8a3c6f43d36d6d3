/** JUnit XML for CI test tabs: one testcase per matrix cell (or per scenario session). */
import type { MatrixResult } from '../model/matrix-result.js';
import type { RunResult } from '../model/run-result.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function matrixJunit(m: MatrixResult): string {
  const failures = m.cells.filter((c) => c.status === 'failed').length;
  const cases = m.cells.map((c) => {
    const seconds = (c.attempts.length ? c.run.wallMs * c.attempts.length : 0) / 1000;
    const head = `    <testcase classname="nat-matrix.${esc(c.viewer)}" name="${esc(c.viewer)} x ${esc(c.camera)}" time="${seconds.toFixed(3)}">`;
    const props = `      <properties><property name="outcome" value="${c.outcome}"/><property name="expected" value="${esc(String(c.expect.outcome))}"/><property name="passRate" value="${c.passRate}"/><property name="setupMs" value="${c.setupMs ?? ''}"/></properties>`;
    const lines = [head, props];
    if (c.status === 'failed') {
      const why = [...c.cellChecks.filter((k) => !k.ok).map((k) => `${k.name}: expected ${k.expected}, got ${k.actual}`), ...c.attempts.filter((a) => !a.passed).map((a) => `run ${a.repeat} attempt ${a.attempt}: ${a.failure}`)];
      lines.push(`      <failure message="${esc(why[0] ?? 'failed')}">${esc(why.join('\n'))}</failure>`);
    } else if (c.status === 'flaky') {
      lines.push(`      <system-out>${esc(`flaky: passed only on retry (${c.attempts.filter((a) => !a.passed).map((a) => a.failure).join('; ')})`)}</system-out>`);
    }
    lines.push('    </testcase>');
    return lines.join('\n');
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="webrtc-nat-lab" tests="${m.cells.length}" failures="${failures}" time="${(m.wallMs / 1000).toFixed(3)}">`,
    `  <testsuite name="nat-matrix" tests="${m.cells.length}" failures="${failures}" timestamp="${m.startedAt}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

export function runJunit(r: RunResult): string {
  const cases = r.sessions.map((s) => {
    const failed = r.expectations.filter((c) => !c.ok && (c.session === s.viewer || c.session === null));
    const body = failed.length ? `\n      <failure message="${esc(`${failed[0].name}: expected ${failed[0].expected}, got ${failed[0].actual}`)}">${esc([...failed.map((c) => `${c.name}: expected ${c.expected}, got ${c.actual}`), s.failure ?? ''].join('\n'))}</failure>\n    ` : '';
    return `    <testcase classname="scenario.${esc(r.scenario)}" name="${esc(s.viewer)} -> ${esc(s.camera)}" time="${((s.firstFrameMs ?? 0) / 1000).toFixed(3)}">${body}</testcase>`;
  });
  const failures = r.sessions.filter((s) => r.expectations.some((c) => !c.ok && (c.session === s.viewer || c.session === null))).length;
  return ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuite name="${esc(r.scenario)}" tests="${r.sessions.length}" failures="${failures}" timestamp="${r.startedAt}">`, ...cases, '</testsuite>', ''].join('\n');
}
