/** The matrix as a terminal grid (plain text) and as Markdown for a CI job summary. */
import type { MatrixCell, MatrixResult } from '../model/matrix-result.js';

export function cellShort(c: MatrixCell | undefined): string {
  if (!c) return '';
  const mark = c.status === 'failed' ? '!' : c.status === 'flaky' ? '~' : '';
  if (c.outcome === 'failed') return `${mark}FAILED`;
  const types = c.run.sessions[0] ? `${c.run.sessions[0].candidateTypes.viewer ?? '?'}/${c.run.sessions[0].candidateTypes.camera ?? '?'}` : '';
  return `${mark}${c.outcome === 'direct' ? 'D' : 'R'} ${types}`;
}

function find(m: MatrixResult, viewer: string, camera: string): MatrixCell | undefined {
  return m.cells.find((c) => c.viewer === viewer && c.camera === camera);
}

export function matrixGrid(m: MatrixResult): string {
  const head = 'viewer \\ camera';
  const w0 = Math.max(head.length, ...m.presets.map((p) => p.length));
  const widths = m.presets.map((p) => Math.max(p.length, ...m.cells.filter((c) => c.camera === p).map((c) => cellShort(c).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(i === 0 ? w0 : widths[i - 1])).join('  ').trimEnd();
  const rows = [line([head, ...m.presets])];
  for (const v of m.presets) rows.push(line([v, ...m.presets.map((c) => cellShort(find(m, v, c)))]));
  return rows.join('\n');
}

export function matrixSummary(m: MatrixResult): string {
  const failed = m.cells.filter((c) => c.status === 'failed');
  const flaky = m.cells.filter((c) => c.status === 'flaky');
  const out = [
    `NAT matrix: ${m.cells.length} of ${m.totalCells} cell(s)${m.shards.length > 1 || m.shards[0].count > 1 ? ` (shards ${m.shards.map((s) => `${s.index}/${s.count}`).join(', ')})` : ''}, ${m.repeat} run(s) each, policy ${m.policy}, viewer ${m.viewerKind}, camera ${m.cameraStack ?? 'werift'}, signaling ${m.signaling ?? 'lab'}`,
    '',
    matrixGrid(m),
    '',
    'D direct, R relay, then the candidate types of the viewer/camera ends; ! failed its expectations, ~ passed only on retry',
    '',
  ];
  for (const c of [...failed, ...flaky]) {
    out.push(`${c.status.toUpperCase()} ${c.viewer} x ${c.camera}: expected ${c.expect.outcome} (RFC 4787 predicts ${c.predicted})`);
    for (const k of c.cellChecks.filter((x) => !x.ok)) out.push(`  ${k.name}: expected ${k.expected}, got ${k.actual}`);
    for (const a of c.attempts.filter((x) => !x.passed)) out.push(`  run ${a.repeat} attempt ${a.attempt}: ${a.outcome}: ${a.failure}`);
  }
  out.push(`${m.passed ? 'PASSED' : 'FAILED'}: ${m.cells.length - failed.length - flaky.length} passed, ${flaky.length} flaky, ${failed.length} failed; wall ${(m.wallMs / 1000).toFixed(1)} s`);
  return out.join('\n');
}

export function matrixMarkdown(m: MatrixResult): string {
  const icon = (c: MatrixCell | undefined) => (!c ? '' : c.status === 'failed' ? '❌ ' : c.status === 'flaky' ? '⚠️ ' : '✅ ');
  const cell = (c: MatrixCell | undefined) => (c ? `${icon(c)}${cellShort(c).replace(/^[!~]/, '')}${c.setupMs !== null ? ` · ${Math.round(c.setupMs)} ms` : ''}` : '');
  const lines = [
    `### NAT traversal matrix: ${m.passed ? 'passed' : 'FAILED'}`,
    '',
    `${m.cells.length} of ${m.totalCells} cells, ${m.repeat} run(s) each, ICE policy \`${m.policy}\`, viewer \`${m.viewerKind}\`, camera ${m.cameraStack ?? 'werift'}, camera \`${m.cameraStack ?? 'werift'}\`, signaling \`${m.signaling ?? 'lab'}\`. D = direct, R = relay; candidate types of the viewer/camera ends; median setup time.`,
    '',
    `| viewer \\ camera | ${m.presets.join(' | ')} |`,
    `|---|${m.presets.map(() => '---').join('|')}|`,
    ...m.presets.map((v) => `| **${v}** | ${m.presets.map((c) => cell(find(m, v, c))).join(' | ')} |`),
  ];
  const bad = m.cells.filter((c) => c.status !== 'passed');
  if (bad.length) {
    lines.push('', '| cell | status | expected | what happened |', '|---|---|---|---|');
    for (const c of bad) {
      const why = [...c.cellChecks.filter((k) => !k.ok).map((k) => `${k.name}: ${k.actual}`), ...c.attempts.filter((a) => !a.passed).map((a) => `run ${a.repeat}.${a.attempt}: ${a.failure}`)].join('<br>');
      lines.push(`| ${c.viewer} x ${c.camera} | ${c.status} | ${c.expect.outcome} | ${why.replace(/\|/g, '\\|')} |`);
    }
  }
  return lines.join('\n') + '\n';
}
