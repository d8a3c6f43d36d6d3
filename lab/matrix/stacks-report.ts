/**
 * The stacks x NATs report (`matrix --stacks all`, the `stacks` bench): for every viewer x camera
 * stack pair and every cell, how many runs reached the class RFC 4787 predicts, and which pairs
 * disagree with the prediction where. Pure: matrices in, report and text out.
 */
import type { MatrixResult } from '../model/matrix-result.js';

export interface StackCell {
  cell: string;
  predicted: 'direct' | 'relay';
  /** Runs (every attempt) that reached the predicted class / runs. */
  agreed: number;
  runs: number;
  /** Every run's outcome, in order. */
  outcomes: string[];
}

export interface StackPairReport {
  viewer: string;
  camera: string;
  cells: StackCell[];
  agreed: number;
  runs: number;
}

export interface StacksReport {
  presets: string[];
  pairs: StackPairReport[];
  /** Stack pair and cell where some run did not reach the predicted class. */
  disagreements: { pair: string; cell: string; predicted: string; outcomes: string[] }[];
}

export function stackPairLabel(p: { viewer: string; camera: string }): string {
  return `${p.viewer} viewer x ${p.camera} camera`;
}

export function stacksReport(matrices: MatrixResult[]): StacksReport {
  const pairs = matrices.map((m): StackPairReport => {
    const cells = m.cells.map((c): StackCell => {
      const outcomes = c.attempts.map((a) => a.outcome);
      return { cell: `${c.viewer} x ${c.camera}`, predicted: c.predicted, agreed: outcomes.filter((o) => o === c.predicted).length, runs: outcomes.length, outcomes };
    });
    return { viewer: m.viewerKind, camera: m.cameraStack ?? 'werift', cells, agreed: sum(cells.map((c) => c.agreed)), runs: sum(cells.map((c) => c.runs)) };
  });
  const disagreements = pairs.flatMap((p) => p.cells.filter((c) => c.agreed < c.runs).map((c) => ({ pair: stackPairLabel(p), cell: c.cell, predicted: c.predicted, outcomes: c.outcomes })));
  return { presets: matrices[0]?.presets ?? [], pairs, disagreements };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const pct = (a: number, n: number) => (n ? `${Math.round((a / n) * 100)}%` : '—');

/** One line per cell and stack pair (agreed/runs, outcomes), then the disagreements. */
export function stacksText(r: StacksReport): string {
  const cells = r.pairs[0]?.cells.map((c) => c.cell) ?? [];
  const width = Math.max(10, ...cells.map((c) => c.length));
  const cols = r.pairs.map((p) => `${p.viewer}/${p.camera}`);
  const col = Math.max(18, ...cols.map((c) => c.length + 2));
  const out = [`stacks x NATs: agreed with RFC 4787 / runs, per cell (columns: viewer/camera stack)`, `${'cell'.padEnd(width)}  pred    ${cols.map((c) => c.padEnd(col)).join('')}`];
  for (const [i, cell] of cells.entries()) {
    const predicted = r.pairs[0].cells[i].predicted;
    out.push(`${cell.padEnd(width)}  ${predicted.padEnd(6)}  ${r.pairs.map((p) => { const c = p.cells[i]; return `${c.agreed}/${c.runs}`.padEnd(col); }).join('')}`);
  }
  out.push(`${'pass rate'.padEnd(width)}          ${r.pairs.map((p) => `${p.agreed}/${p.runs} ${pct(p.agreed, p.runs)}`.padEnd(col)).join('')}`);
  out.push('', r.disagreements.length ? 'disagree with the prediction:' : 'every stack pair reached the predicted class in every run');
  for (const d of r.disagreements) out.push(`  ${d.pair}, ${d.cell}: predicted ${d.predicted}, got ${d.outcomes.join(',')}`);
  return out.join('\n');
}
