// Learning with the lab: --explain tells the run with its real values, --capture leaves pcaps with
// the STUN traffic in them, and the run's HTML report draws the network.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../lab/model/run-result.js';
import { cli } from './cli.js';
import { launchChromium } from './chromium.js';

const env = { WEBRTC_LAB_REPORTS_DIR: mkdtempSync(join(tmpdir(), 'lab-explain-')) };
const reportOf = (stdout: string) => /report: (\S+)\/index\.html/.exec(stdout)![1];

describe.concurrent('--explain', () => {
  for (const scenario of ['full-cone', 'symmetric-nat']) {
    it(`${scenario}: names the selected pair's candidate types, as the result JSON has them`, async () => {
      const r = await cli([scenario, '--explain'], env);
      expect(r.code, r.stderr).toBe(0);
      const result: RunResult = JSON.parse(readFileSync(join(reportOf(r.stdout), 'result.json'), 'utf8'));
      const s = result.sessions[0];
      const text = r.stdout;
      for (const heading of ['1. The network', '2. Signaling and ICE servers', '3. The offer', '4. The answer', '5. Candidates gathered', '6. Connectivity checks', '7. DTLS', '8. First media', '9. What the wire saw']) expect(text).toContain(heading);
      expect(text).toContain(`Outcome: ${result.outcome.toUpperCase()} (viewer end ${s.candidateTypes.viewer}, camera end ${s.candidateTypes.camera}).`);
      const v = s.selectedPair.viewer!;
      expect(text).toContain(`Selected pair, viewer's view: ${v.local.candidateType} ${v.local.address}:${v.local.port}`);
      expect(text).toMatch(/a=fingerprint:sha-256 .*<- hash of the DTLS certificate/);
      expect(text).toContain('H.264 payload');
      expect(text).toMatch(/srflx udp 203\.0\.113\.\d+:\d+ +a STUN binding to 203\.0\.113\.2:3478 answered/);
      if (scenario === 'symmetric-nat') expect(text).toContain('A relay was required: RFC 4787 predicts no direct path');
      else expect(text).not.toContain('A relay was required');
    });
  }

  it('relay-forced: explains the relay by the ICE policy the run was judged under, not a direct-path prediction', async () => {
    const r = await cli(['relay-forced', '--explain'], env);
    expect(r.code, r.stderr).toBe(0);
    const result: RunResult = JSON.parse(readFileSync(join(reportOf(r.stdout), 'result.json'), 'utf8'));
    expect(result.sessions[0].prediction).toEqual({ outcome: 'relay', iceTransportPolicy: 'relay' });
    expect(r.stdout).toContain('A relay was required: the ICE transport policy is "relay"');
    expect(r.stdout).not.toContain('RFC 4787 predicts a direct path');
  });
});

describe('--capture and the run report', () => {
  it('pcaps per router interface contain STUN binding requests; the HTML report draws the network', async () => {
    const r = await cli(['port-restricted-cone', '--capture'], env);
    expect(r.code, r.stderr).toBe(0);
    const dir = reportOf(r.stdout);
    const result: RunResult = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'));
    expect(result.captures.map((c) => `${c.node}-${c.iface}`).sort()).toEqual(['nata-lan0', 'nata-wan0', 'natb-lan0', 'natb-wan0', 'srv-eth0']);
    for (const c of result.captures) {
      const requests = execFileSync('tshark', ['-r', join(dir, c.file), '-Y', 'stun.type == 0x0001', '-T', 'fields', '-e', 'stun.type'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim().split('\n').filter(Boolean);
      expect(requests.length, `${c.file}`).toBeGreaterThan(0);
    }
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`file://${dir}/index.html`);
      const svg = page.locator('svg.topology');
      expect(await svg.isVisible()).toBe(true);
      expect(await svg.locator('g.router').count()).toBe(2);
      expect(await svg.innerHTML()).toContain('nata: port-restricted-cone');
      expect(await page.locator('table.timeline').innerText()).toContain('first video frame');
      expect(await page.locator('a[href="capture/nata-wan0.pcap"]').count()).toBe(1);
    } finally {
      await browser.close();
    }
  });
});
