/**
 * Self-contained HTML reports (inline CSS, no script, no external resource: they open from disk
 * and from CI artifacts). Cell details show through :target, so links work without JavaScript.
 */
import type { MatrixCell, MatrixResult } from '../model/matrix-result.js';
import type { PairView, SessionResult } from '../model/run-result.js';
import { TIMELINE_STEPS } from '../model/run-result.js';
import { cellShort } from './matrix-text.js';
import type { RunResult } from '../model/run-result.js';
import { topologySvg } from './topology-diagram.js';
import { signalingSteps, stepProtocols, stepSentence } from './signaling-steps.js';
import { callBlock } from './call-plot.js';

export const esc = (s: unknown) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const CSS = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5rem; color: #1b1f24; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 2rem; } h3 { font-size: 1rem; }
table { border-collapse: collapse; } th, td { border: 1px solid #d0d7de; padding: .35rem .55rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.cell a { color: inherit; text-decoration: none; display: block; }
td.direct { background: #dafbe1; } td.relay { background: #fff8c5; } td.failed { background: #ffebe9; }
td.bad { outline: 3px solid #cf222e; outline-offset: -3px; } td.flaky { outline: 3px dashed #9a6700; outline-offset: -3px; }
.muted { color: #57606a; } code, pre { font: 12px ui-monospace, monospace; } pre { background: #f6f8fa; padding: .5rem; overflow-x: auto; }
section.cell { display: none; border-top: 2px solid #d0d7de; margin-top: 1.5rem; } section.cell:target { display: block; }
.bar { display: inline-block; height: .8rem; background: #0969da; vertical-align: middle; }
.status-passed { color: #1a7f37; } .status-failed { color: #cf222e; } .status-flaky { color: #9a6700; }
`;

export function page(title: string, body: string): string {
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${CSS}</style></head>\n<body>\n${body}\n</body></html>\n`;
}

function end(c: PairView['local']): string {
  return `${esc(c.candidateType)} ${esc(c.protocol)} ${esc(c.address)}:${c.port}${c.relayProtocol ? ` (TURN/${esc(c.relayProtocol)})` : ''}`;
}

export function pairTable(s: SessionResult): string {
  const row = (who: string, p: PairView | null) => `<tr><th>${who}</th><td>${p ? end(p.local) : '—'}</td><td>${p ? end(p.remote) : '—'}</td><td>${p?.rttMs ?? '—'}</td></tr>`;
  return `<table class="pair"><tr><th>as seen by</th><th>local end</th><th>remote end</th><th>RTT ms</th></tr>${row('viewer', s.selectedPair.viewer)}${row('camera', s.selectedPair.camera)}</table>`;
}

export function timelineTable(s: SessionResult): string {
  const values = TIMELINE_STEPS.map((st) => s.timeline[st.key]).filter((v): v is number => typeof v === 'number');
  const max = Math.max(1, ...values);
  const rows = TIMELINE_STEPS.map(({ key, label }) => {
    const v = s.timeline[key] ?? null;
    const width = v === null || v < 0 ? 0 : Math.round((v / max) * 300);
    return `<tr><td>${esc(label)}</td><td>${v === null ? '—' : `${v.toFixed(1)} ms`}</td><td><span class="bar" style="width:${width}px"></span></td></tr>`;
  });
  return `<table class="timeline"><tr><th>step</th><th>ms from the offer</th><th></th></tr>${rows.join('')}</table>`;
}

/** The signaling protocol's own steps of a session (none with the lab's protocol), ms from the offer. */
function signalingStepsTable(r: RunResult, s: SessionResult): string {
  const steps = signalingSteps(r, s.viewer, s.camera);
  if (!steps.length) return '';
  const offerT = r.events[s.viewer]?.find((e) => e.event === 'offer-sent')?.t ?? 0;
  const rows = steps.map((st) => `<tr><td>${(st.event.t - offerT).toFixed(1)} ms</td><td>${esc(st.who)}</td><td>${esc(st.step)}</td><td>${esc(stepSentence(st))}</td></tr>`).join('');
  return `<h3>Signaling steps (${esc(stepProtocols(steps).join(', '))})</h3><table class="steps"><tr><th>ms from the offer</th><th>peer</th><th>step</th><th></th></tr>${rows}</table>`;
}

export function candidatesBlock(s: SessionResult): string {
  return `<h4>Candidates gathered by the viewer</h4><pre>${esc(s.candidates.viewer.join('\n') || '(none)')}</pre><h4>Candidates gathered by the camera</h4><pre>${esc(s.candidates.camera.join('\n') || '(none)')}</pre>`;
}

function cellDetails(c: MatrixCell): string {
  const s = c.run.sessions[0];
  const attempts = c.attempts.map((a) => `<tr><td>${a.repeat}</td><td>${a.attempt}</td><td>${a.passed ? 'passed' : 'failed'}</td><td>${esc(a.outcome)}</td><td>${a.setupMs ?? '—'}</td><td>${esc(a.failure ?? '')}</td></tr>`).join('');
  const checks = [...c.run.expectations, ...c.cellChecks].map((k) => `<tr><td>${esc(k.name)}</td><td>${esc(k.expected)}</td><td>${esc(k.actual)}</td><td>${k.ok ? 'ok' : '<b>FAILED</b>'}</td></tr>`).join('');
  return `<section class="cell" id="cell-${esc(c.id)}">
<h2>Viewer behind ${esc(c.viewer)}, camera behind ${esc(c.camera)}: <span class="status-${c.status}">${esc(c.outcome)} (${c.status})</span></h2>
<p>Viewer: ${esc(c.run.peers.find((p) => p.role === 'viewer')?.stack ?? '?')}; camera: ${esc(c.run.peers.find((p) => p.role === 'camera')?.stack ?? '?')}. RFC 4787 predicts <b>${esc(c.predicted)}</b>; expected <b>${esc(c.expect.outcome)}</b>. Pass rate ${Math.round(c.passRate * 100)}% over ${c.attempts.filter((a) => a.attempt === 1).length} run(s). Setup p50 ${c.latency.setupMs.p50 ?? '—'} ms, p95 ${c.latency.setupMs.p95 ?? '—'} ms; first frame p50 ${c.latency.firstFrameMs.p50 ?? '—'} ms.</p>
${s ? `<h3>Selected candidate pair</h3>${pairTable(s)}<h3>Timeline</h3>${timelineTable(s)}${s.failure ? `<p class="status-failed">${esc(s.failure)}</p>` : ''}${candidatesBlock(s)}` : ''}
<h3>Checks</h3><table><tr><th>check</th><th>expected</th><th>actual</th><th></th></tr>${checks}</table>
<h3>Runs (every attempt, retries included)</h3><table><tr><th>run</th><th>attempt</th><th>result</th><th>outcome</th><th>setup ms</th><th>failure</th></tr>${attempts}</table>
</section>`;
}

export function matrixHtml(m: MatrixResult): string {
  const find = (v: string, c: string) => m.cells.find((x) => x.viewer === v && x.camera === c);
  const grid = m.presets
    .map((v) => {
      const tds = m.presets.map((c) => {
        const cell = find(v, c);
        if (!cell) return '<td></td>';
        const cls = `cell ${cell.outcome}${cell.status === 'failed' ? ' bad' : cell.status === 'flaky' ? ' flaky' : ''}`;
        return `<td class="${cls}"><a href="#cell-${esc(cell.id)}">${esc(cellShort(cell))}<br><span class="muted">${cell.setupMs !== null ? `${Math.round(cell.setupMs)} ms` : ''}</span></a></td>`;
      });
      return `<tr><th>${esc(v)}</th>${tds.join('')}</tr>`;
    })
    .join('\n');
  const legend = m.presets.map((p) => `<tr><th>${esc(p)}</th><td>${esc(m.presetInfo[p] ?? '')}</td></tr>`).join('');
  const failed = m.cells.filter((c) => c.status === 'failed').length;
  const body = `<h1>WebRTC NAT traversal matrix: <span class="status-${m.passed ? 'passed' : 'failed'}">${m.passed ? 'passed' : 'FAILED'}</span></h1>
<p class="muted">run ${esc(m.runId)}, ${esc(m.startedAt)}; ${m.cells.length} of ${m.totalCells} cells; ${m.repeat} run(s) per cell, ${m.retries} retr${m.retries === 1 ? 'y' : 'ies'}; ICE policy ${esc(m.policy)}; viewer ${esc(m.viewerKind)}; camera ${esc(m.cameraStack ?? 'werift')}; signaling ${esc(m.signaling ?? 'lab')}; backend ${esc(m.backend)}; ${failed} failed.</p>
<h2>Outcome per pair</h2>
<p class="muted">Rows: the viewer's NAT; columns: the camera's. D direct, R relay, then the candidate types of the viewer/camera ends; ! failed its expectations, ~ passed only on retry; median setup time. Click a cell for its details.</p>
<table class="grid"><tr><th>viewer \\ camera</th>${m.presets.map((p) => `<th>${esc(p)}</th>`).join('')}</tr>
${grid}
</table>
<h2>NAT behaviours</h2>
<table class="legend">${legend}</table>
${m.cells.map(cellDetails).join('\n')}`;
  return page(`NAT matrix ${m.runId}`, body);
}

/** The HTML report of one run: the network as a diagram, then each session's pair and timeline. */
export function runHtml(r: RunResult): string {
  const roles = Object.fromEntries(r.peers.map((p) => [p.host, `${p.role} ${p.name} (${p.stack})`]));
  const sessions = r.sessions
    .map((s) => `<h2>${esc(s.viewer)} -> ${esc(s.camera)}: <span class="status-${s.outcome === 'failed' ? 'failed' : 'passed'}">${esc(s.outcome)}</span></h2>
${s.failure ? `<p class="status-failed">${esc(s.failure)}</p>` : ''}
<h3>Selected candidate pair</h3>${pairTable(s)}${s.asymmetric ? '<p class="muted">The two sides use different pairs: traffic relays in one direction only.</p>' : ''}
<h3>Timeline</h3>${timelineTable(s)}
${signalingStepsTable(r, s)}
<p>Setup (offer to datachannel open): ${s.setupMs ?? '—'} ms; first frame: ${s.firstFrameMs ?? '—'} ms.</p>
${s.call ? callBlock(s.call) : ''}
${candidatesBlock(s)}`)
    .join('\n');
  const checks = r.expectations.map((k) => `<tr><td>${esc(k.name)}</td><td>${esc(k.session ?? '')}</td><td>${esc(k.expected)}</td><td>${esc(k.actual)}</td><td>${k.ok ? 'ok' : '<b>FAILED</b>'}</td></tr>`).join('');
  const captures = r.captures.length
    ? `<h2>Packet captures</h2><p class="muted">Open in Wireshark (filter: stun || dtls).</p><ul>${r.captures.map((c) => `<li><a href="${esc(c.file)}">${esc(c.node)} ${esc(c.iface)}</a></li>`).join('')}</ul>`
    : '';
  const body = `<h1>${esc(r.scenario)}: <span class="status-${r.passed ? 'passed' : 'failed'}">${esc(r.outcome)}</span> <span class="muted">(${r.passed ? 'expectations met' : 'expectations not met'})</span></h1>
<p class="muted">${esc(r.description)}</p>
<p class="muted">run ${esc(r.runId)}, ${esc(r.startedAt)}; topology ${esc(r.topology)} on ${esc(r.backend)}; signaling ${esc(r.signaling ?? 'lab')}; wall ${r.overhead.wallMs} ms.</p>
<h2>Network</h2>
${topologySvg(r.network, roles)}
${sessions}
<h2>Checks</h2><table><tr><th>check</th><th>session</th><th>expected</th><th>actual</th><th></th></tr>${checks}</table>
${captures}`;
  return page(`${r.scenario} ${r.runId}`, body);
}
