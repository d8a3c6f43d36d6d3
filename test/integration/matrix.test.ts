// The NAT matrix against real labs: RFC 4787's grid, a gate that fails when it should, shards that
// merge into the unsharded result, and an HTML report a browser can read.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MatrixResult } from '../../lab/model/matrix-result.js';
import { cli } from './cli.js';
import { launchChromium } from './chromium.js';

const reports = mkdtempSync(join(tmpdir(), 'lab-matrix-'));
const env = { WEBRTC_LAB_REPORTS_DIR: reports };
const reportDir = (stdout: string) => /report: (\S+)\/index\.html/.exec(stdout)![1];

async function matrix(args: string[]): Promise<{ code: number | null; m: MatrixResult; stdout: string; stderr: string }> {
  const r = await cli(['matrix', '--json', ...args], env);
  return { code: r.code, m: JSON.parse(r.stdout), stdout: r.stdout, stderr: r.stderr };
}

describe('NAT matrix', () => {
  let classic: MatrixResult;

  // RFC 4787 says whether a direct path exists; which pair ICE nominates first is a race (werift
  // nominates the first pair that answers), so each cell runs three times and the predicted outcome
  // must come up; the pass rate of each cell is printed.
  it('full-cone, restricted-cone, port-restricted-cone, symmetric: direct vs relay as RFC 4787 predicts', async () => {
    const { code, m } = await matrix(['--nats', 'full-cone,restricted-cone,port-restricted-cone,symmetric', '--workers', '2', '--repeat', '3', '--min-pass-rate', '0.3']);
    classic = m;
    console.log(m.cells.map((c) => `${c.id}: ${c.attempts.filter((a) => a.passed).length}/${c.attempts.length} as predicted`).join('\n'));
    const grid = Object.fromEntries(m.cells.map((c) => [`${c.viewer} x ${c.camera}`, c.outcome]));
    expect(grid).toEqual({
      'full-cone x full-cone': 'direct',
      'full-cone x restricted-cone': 'direct',
      'full-cone x port-restricted-cone': 'direct',
      'full-cone x symmetric': 'direct',
      'restricted-cone x restricted-cone': 'direct',
      'restricted-cone x port-restricted-cone': 'direct',
      'restricted-cone x symmetric': 'direct',
      'port-restricted-cone x port-restricted-cone': 'direct',
      'port-restricted-cone x symmetric': 'relay',
      'symmetric x symmetric': 'relay',
    });
    expect(code).toBe(0);
    for (const c of m.cells) {
      expect(c.predicted).toBe(c.outcome);
      expect(c.run.sessions[0].selectedPair.viewer).not.toBeNull();
      expect(c.setupMs).toBeGreaterThan(0);
    }
  });

  it('a deliberately wrong expectation makes the gate exit 1, and the report says why', async () => {
    const file = join(reports, 'wrong.yaml');
    writeFileSync(file, 'cells:\n  - viewer: symmetric\n    camera: symmetric\n    expect: { outcome: direct, setupMs: { p95: 1 } }\n');
    const r = await cli(['matrix', '--nats', 'symmetric', '--expect', file], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAILED symmetric x symmetric: expected direct (RFC 4787 predicts relay)');
    expect(r.stdout).toMatch(/run 1 attempt 1: relay: outcome: expected direct, got relay/);
    const dir = reportDir(r.stdout);
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toContain('<failure message="');
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toContain('| symmetric x symmetric | failed | direct |');
    const m: MatrixResult = JSON.parse(readFileSync(join(dir, 'matrix.json'), 'utf8'));
    expect(m.passed).toBe(false);
    expect(m.cells[0].cellChecks.find((c) => c.name === 'setupMs.p95')!.ok).toBe(false);
  });

  // The shards are separate runs, so a racy cell may nominate another pair in each of them: what
  // must match is the cells (the whole matrix, each exactly as its shard measured it), not the race.
  it('two shards merged give the same cells as the unsharded run', async () => {
    const nats = ['--nats', 'open,full-cone,symmetric', '--min-pass-rate', '0'];
    const [whole, s1, s2] = await Promise.all([cli(['matrix', ...nats], env), cli(['matrix', ...nats, '--shard', '1/2'], env), cli(['matrix', ...nats, '--shard', '2/2'], env)]);
    for (const r of [whole, s1, s2]) expect(r.code, r.stderr).toBe(0);
    const merged = await cli(['merge', reportDir(s1.stdout), reportDir(s2.stdout), '--json'], env);
    expect(merged.code).toBe(0);
    const m: MatrixResult = JSON.parse(merged.stdout);
    const read = (r: { stdout: string }): MatrixResult => JSON.parse(readFileSync(join(reportDir(r.stdout), 'matrix.json'), 'utf8'));
    const [w, shard1, shard2] = [whole, s1, s2].map(read);
    expect(m.cells.map((c) => c.id)).toEqual(w.cells.map((c) => c.id));
    expect(shard1.cells.length + shard2.cells.length).toBe(w.cells.length);
    const measured = new Map([...shard1.cells, ...shard2.cells].map((c) => [c.id, c]));
    for (const c of m.cells) expect(c).toEqual(measured.get(c.id));
    expect(m.shards).toEqual([{ index: 1, count: 2 }, { index: 2, count: 2 }]);
    const missing = await cli(['merge', reportDir(s1.stdout)], env);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/MISSING \d cell\(s\)/);
  });

  it('the HTML report opens in headless Chromium and shows the grid and a cell\'s timeline', async () => {
    expect(classic).toBeDefined();
    const dir = join(reports, classic.runId);
    const { writeMatrixReport } = await import('../../lab/report/write-report.js');
    writeMatrixReport(classic, dir);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`file://${dir}/index.html`);
      await expect.poll(() => page.locator('table.grid tr').count()).toBe(5);
      expect(await page.locator('table.grid').innerText()).toMatch(/\bR (host|srflx|prflx|relay)\/(host|srflx|prflx|relay)/);
      await page.click('a[href="#cell-port-restricted-cone__symmetric"]');
      const section = page.locator('#cell-port-restricted-cone__symmetric');
      expect(await section.isVisible()).toBe(true);
      const timeline = await section.locator('table.timeline').innerText();
      expect(timeline).toContain('ICE connected');
      expect(timeline).toMatch(/first video frame\s+\d+\.\d ms/);
      expect(await page.locator('#cell-full-cone__full-cone').isVisible()).toBe(false);
    } finally {
      await browser.close();
    }
  });
});
