import { describe, expect, it } from 'vitest';
import { judgeTargets, targetsTable } from './targets-bench.js';

const ratioRow = (ratio: number, passed = 5) => ({ command: 'webrtc-lab run port-restricted-cone', bareCommand: 'node bench/bare-reference.mjs', runs: 5, passed, medianMs: 900, bareMedianMs: 900, bareRuns: 5, barePassed: 5, ratio, ratios: [ratio] });
const firewall = (ratio: number) => ({ runs: 5, setupMs: { firewalled: 400, openRelayTls: 400 }, wallMs: { firewalled: 800, openRelayTls: 800 }, ratio, ratios: [ratio], passed: 10, load: [1, 1] as [number, number] });
const docker = (ratio: number) => ({ scenario: 'port-restricted-cone', runs: 3, docker: 2000, netns: 800, ratio, ratios: [ratio], passed: 6, load: [1, 1, 1] });
const matrix = (wallS: number, passed = 36, peakMemoryMb = 700) => ({ workers: 2, reuse: true, cells: 36, passed, wallS, peakMemoryMb, cellsPerMinute: 100, cpuS: 25, cpuSPerCell: 0.7, load: [1, 1] as [number, number] });

describe('judgeTargets', () => {
  it('meets every target at or under its limit', () => {
    const t = judgeTargets({ ratio: [ratioRow(1)], firewall: firewall(1), docker: docker(3), matrix: matrix(30) });
    expect(t.map((x) => x.met)).toEqual([true, true, true, true]);
  });

  it('misses each target just over its limit, and a figure from a run that failed', () => {
    const over = judgeTargets({ ratio: [ratioRow(1.01)], firewall: firewall(1.2), docker: docker(3.1), matrix: matrix(30.1) });
    expect(over.map((x) => x.met)).toEqual([false, false, false, false]);
    const failedRun = judgeTargets({ ratio: [ratioRow(0.9, 4)], firewall: firewall(0.9), docker: docker(2), matrix: matrix(20, 35) });
    expect(failedRun.map((x) => x.met)).toEqual([false, true, true, false]);
    expect(judgeTargets({ ratio: [], firewall: firewall(0.9), docker: docker(2), matrix: matrix(20, 36, 1024) }).at(-1)!.met).toBe(false);
  });

  it('counts Docker as not met, with the reason, when it could not be measured', () => {
    const t = judgeTargets({ ratio: [], firewall: firewall(1), docker: { skipped: 'no Docker daemon' }, matrix: matrix(20) });
    const d = t.find((x) => x.name.startsWith('docker'))!;
    expect(d.met).toBe(false);
    expect(d.measured).toContain('no Docker daemon');
    expect(targetsTable(t)).toMatch(/MISSED\s+docker/);
  });
});
