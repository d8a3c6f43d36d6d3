import { describe, expect, it } from 'vitest';
import type { CallResult } from '../model/run-result.js';
import { callBlock, fpsPlotSvg } from './call-plot.js';

const call: CallResult = {
  holdMs: 10_000,
  fps: Array.from({ length: 10 }, (_, i) => ({ tMs: 1000 * (i + 1), fps: i === 4 ? 0 : 25 })),
  minFps: 0,
  nominalFps: 25,
  events: [{ index: 0, label: 'rebind nata', kind: 'rebind', atMs: 4000, appliedMs: 4100, restoredMs: null, detail: null, error: null, recoveryMs: 1900, outage: 0, pairAfter: null }],
  outages: [{ startMs: 4000, endMs: 6000, durationMs: 2000, framesLost: 49, ongoing: false, cause: 'rebind nata' }],
  restarts: 1,
  finalPath: 'direct',
  timeline: [{ tMs: 4100, source: 'lab', what: 'rebind <nata>' }],
};

describe('the call in the HTML report', () => {
  it('plots fps over the hold with each event as a line and each outage as a band', () => {
    const svg = fpsPlotSvg(call);
    expect(svg.match(/<polyline points="([^"]+)"/)![1].split(' ')).toHaveLength(10);
    // x of 4100 ms on a 10 s axis of 670 px from x=40.
    expect(svg).toContain('<line x1="314.7" x2="314.7"');
    expect(svg).toContain('>rebind nata</text>');
    expect(svg).toContain('<title>outage 2000 ms, 49 frames lost after rebind nata</title>');
  });

  it('lists the events with their recovery and escapes the timeline', () => {
    const html = callBlock(call);
    expect(html).toContain('<td>rebind nata</td><td>4000</td><td>4100</td><td>—</td><td>1900</td>');
    expect(html).toContain('rebind &lt;nata&gt;');
  });
});
