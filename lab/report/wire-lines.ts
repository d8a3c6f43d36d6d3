/** The wire oracle's view of a session in words: one line per direction (terminal and --explain). */
import type { RunResult, SessionResult, WireCount, WireDirection } from '../model/run-result.js';
import { describePath } from '../wire/path-text.js';
export { describePath };

const ms = (v: number | null, from = 0) => (v === null ? '—' : `${(v - from).toFixed(1)} ms`);
const n = (c: WireCount) => `${c.packets}/${c.bytes} B`;


/** One line: path, first STUN check / DTLS / media (ms from `from`, the run's start by default), counts. */
export function directionLine(d: WireDirection, from = 0): string {
  const settled = d.settledPath && d.path && describePath(d.settledPath) !== describePath(d.path) ? `; settled on ${describePath(d.settledPath)}` : '';
  const switched = (d.otherPaths.length ? `; also ${d.otherPaths.map((o) => `${describePath(o)} ${o.bytes} B`).join(', ')}` : '') + settled;
  return `${d.from} -> ${d.to}: ${describePath(d.path)}; first STUN check ${ms(d.firstStunCheckMs, from)}, DTLS ${ms(d.firstDtlsMs, from)}, media ${ms(d.firstMediaMs, from)}; DTLS ${n(d.dtls)} (SCTP ${n(d.sctp)}), RTP ${n(d.rtp)}${switched}`;
}

/** The wire block of a session for the terminal; `why` says why there is none. */
export function wireLines(s: SessionResult, r: Pick<RunResult, 'wire'>, from = 0): string[] {
  if (!s.wire) return [`  wire: not captured (${r.wire && !r.wire.captured ? r.wire.reason : 'older result'})`];
  const w = s.wire;
  return [
    `  wire: ${w.outcome === null ? 'CANNOT TELL' : w.outcome.toUpperCase()}${w.disagreements.length ? '  (DISAGREES with the peers)' : w.outcome === s.outcome ? ' (agrees with the peers)' : ''}`,
    ...w.directions.map((d) => `    ${directionLine(d, from)}`),
    ...w.disagreements.map((x) => `    disagreement: ${x}`),
    ...w.notes.map((x) => `    note: ${x}`),
  ];
}
