/**
 * A held call in the HTML report: frames per second over the hold as an inline SVG line, every
 * network event a labelled vertical line, every outage a shaded band; then the events with their
 * recovery and the call's timeline.
 */
import type { CallResult } from '../model/run-result.js';

const esc = (s: unknown) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const W = 720;
const H = 220;
const PAD = { left: 40, right: 10, top: 14, bottom: 28 };

export function fpsPlotSvg(call: CallResult): string {
  const maxT = Math.max(call.holdMs, ...call.fps.map((f) => f.tMs), 1);
  const maxFps = Math.max(call.nominalFps * 1.2, ...call.fps.map((f) => f.fps), 1);
  const x = (t: number) => PAD.left + (Math.max(0, t) / maxT) * (W - PAD.left - PAD.right);
  const y = (f: number) => H - PAD.bottom - (f / maxFps) * (H - PAD.top - PAD.bottom);
  const points = call.fps.map((f) => `${x(f.tMs).toFixed(1)},${y(f.fps).toFixed(1)}`).join(' ');
  const bands = call.outages.map((o) => `<rect x="${x(o.startMs).toFixed(1)}" y="${PAD.top}" width="${Math.max(1, x(o.endMs) - x(o.startMs)).toFixed(1)}" height="${H - PAD.top - PAD.bottom}" fill="#ffd7d5"><title>outage ${o.durationMs} ms, ${o.framesLost} frames lost${o.cause ? ` after ${esc(o.cause)}` : ''}</title></rect>`);
  const marks = call.events
    .filter((e) => e.appliedMs !== null)
    .map((e, i) => {
      const ex = x(e.appliedMs!).toFixed(1);
      return `<line x1="${ex}" x2="${ex}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke="#8250df" stroke-dasharray="4 3"/><text x="${(Number(ex) + 3).toFixed(1)}" y="${PAD.top + 10 + (i % 3) * 11}" font-size="10" fill="#8250df">${esc(e.label)}</text>`;
    });
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((q) => {
    const t = Math.round(maxT * q);
    return `<text x="${x(t).toFixed(1)}" y="${H - 10}" font-size="10" text-anchor="middle">${(t / 1000).toFixed(0)} s</text>`;
  });
  const fpsTicks = [0, Math.round(maxFps / 2), Math.round(maxFps)].map((f) => `<text x="${PAD.left - 4}" y="${(y(f) + 3).toFixed(1)}" font-size="10" text-anchor="end">${f}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="frames per second over the hold">
<rect x="${PAD.left}" y="${PAD.top}" width="${W - PAD.left - PAD.right}" height="${H - PAD.top - PAD.bottom}" fill="none" stroke="#d0d7de"/>
${bands.join('\n')}
<polyline points="${points}" fill="none" stroke="#0969da" stroke-width="1.5"/>
${marks.join('\n')}
${ticks.join('')}${fpsTicks.join('')}
<text x="${PAD.left}" y="10" font-size="10">fps (camera sends ${call.nominalFps}); time from the first frame</text>
</svg>`;
}

/** What the capture showed each direction take after the recovery. */
function wireAfter(e: CallResult['events'][number]): string {
  const w = e.wireAfter;
  if (!w) return '—';
  const kind = (p: typeof w.viewerToCamera) => p?.kind ?? 'none';
  return esc(`viewer->camera ${kind(w.viewerToCamera)}, camera->viewer ${kind(w.cameraToViewer)}`);
}

export function callBlock(call: CallResult): string {
  const events = call.events
    .map((e) => `<tr><td>${esc(e.label)}</td><td>${e.atMs}</td><td>${e.appliedMs ?? '—'}</td><td>${e.restoredMs ?? '—'}</td><td>${e.recoveryMs ?? (e.appliedMs === null ? '—' : '<b>never</b>')}</td><td>${e.pairAfter ? esc(`${e.pairAfter.local.candidateType} <-> ${e.pairAfter.remote.candidateType}`) : '—'}</td><td>${wireAfter(e)}</td><td>${esc(e.error ?? e.detail ?? '')}</td></tr>`)
    .join('');
  const outages = call.outages.map((o) => `<li>${o.startMs}–${o.endMs} ms: ${o.durationMs} ms, ${o.framesLost} frames lost${o.ongoing ? ' (never ended)' : ''}${o.cause ? `, after ${esc(o.cause)}` : ''}</li>`).join('');
  const timeline = call.timeline.map((t) => `<tr><td>${t.tMs}</td><td>${t.source}</td><td>${esc(t.what)}</td></tr>`).join('');
  return `<h3>The call: ${call.holdMs} ms held, ${call.restarts} restart(s), min ${call.minFps ?? '—'} fps, ends ${call.finalPath ?? 'without frames'}</h3>
${fpsPlotSvg(call)}
${call.events.length ? `<table><tr><th>event</th><th>at (ms)</th><th>applied</th><th>restored</th><th>recovery (ms)</th><th>pair after (viewer)</th><th>path after (wire)</th><th></th></tr>${events}</table>` : ''}
${outages ? `<p>Outages:</p><ul>${outages}</ul>` : '<p>No outage.</p>'}
<details><summary>Call timeline (ms from the first frame)</summary><table><tr><th>ms</th><th>source</th><th>what</th></tr>${timeline}</table></details>`;
}
