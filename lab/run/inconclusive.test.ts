import { describe, expect, it } from 'vitest';
import type { ExpectationCheck, Timeline } from '../model/run-result.js';
import { BASELINE, SLOWDOWN, inconclusiveReasons, saturated, type MachineLoad, type PaceFacts } from './inconclusive.js';
import { cpuPressure } from './machine-load.js';

const idle: MachineLoad = { cpus: 2, loadAvg1: 0.4, cpuPressure: 3 };
const busy: MachineLoad = { cpus: 2, loadAvg1: 5.2, cpuPressure: 85 };
const outcomeFailed: ExpectationCheck = { name: 'outcome', session: 'viewer', expected: 'direct', actual: 'failed', ok: false };
const timeline = (t: Partial<Timeline>): Timeline => ({ signalingConnected: 0, iceConfigFetched: 0, offerSent: 0, answerReceived: 100, gatheringComplete: 150, iceChecking: 200, iceConnected: null, dtlsConnected: null, datachannelOpen: null, firstFrame: null, ...t });
const facts = (f: Partial<PaceFacts>): PaceFacts => ({
  failedChecks: [outcomeFailed],
  sessions: [{ viewer: 'viewer', outcome: 'failed', timeline: timeline({ iceConnected: 300 }) }],
  peerStartMs: [{ name: 'camera', ms: 400 }, { name: 'viewer', ms: 450 }],
  load: busy,
  ...f,
});

describe('inconclusiveReasons', () => {
  it('a saturated machine and a DTLS handshake that never finished after ICE connected: inconclusive, saturation first', () => {
    const r = inconclusiveReasons(facts({}));
    expect(r).toHaveLength(2);
    expect(r![0]).toMatch(/saturated: CPU pressure 85% .*load average 5\.2 on 2 CPU/);
    expect(r![1]).toMatch(/session viewer: ICE connected .* DTLS handshake never finished/);
  });

  it('the same failure on a machine that kept up stays failed', () => {
    expect(inconclusiveReasons(facts({ load: idle }))).toBeNull();
  });

  it('a saturated machine but a lab that kept its pace (ICE never connected, peers loaded fast) stays failed: that is the network', () => {
    expect(inconclusiveReasons(facts({ sessions: [{ viewer: 'viewer', outcome: 'failed', timeline: timeline({}) }] }))).toBeNull();
  });

  it('a peer that loaded far slower than its baseline on a saturated machine makes it inconclusive', () => {
    const slow = SLOWDOWN * BASELINE.peerStartMs + 1;
    const r = inconclusiveReasons(facts({ sessions: [{ viewer: 'viewer', outcome: 'failed', timeline: timeline({}) }], peerStartMs: [{ name: 'camera', ms: slow }] }));
    expect(r?.[1]).toBe(`peer camera took ${slow} ms to load (baseline ~${BASELINE.peerStartMs} ms)`);
  });

  it('a missed time budget with a DTLS far slower than its baseline is inconclusive', () => {
    const budget: ExpectationCheck = { name: 'setupMs.max', session: 'viewer', expected: '< 3000 ms', actual: '4100 ms', ok: false };
    const dtls = SLOWDOWN * BASELINE.dtlsMs + 100;
    const r = inconclusiveReasons(facts({ failedChecks: [budget], sessions: [{ viewer: 'viewer', outcome: 'direct', timeline: timeline({ iceConnected: 300, dtlsConnected: 300 + dtls }) }] }));
    expect(r?.[1]).toBe(`session viewer: DTLS took ${dtls} ms after ICE connected (baseline ~${BASELINE.dtlsMs} ms)`);
  });

  it('a session that connected the wrong way is an answer: failed, however busy the machine', () => {
    const wrong: ExpectationCheck = { name: 'outcome', session: 'viewer', expected: 'direct', actual: 'relay', ok: false };
    expect(inconclusiveReasons(facts({ failedChecks: [wrong, outcomeFailed] }))).toBeNull();
  });

  it('nothing failed: no verdict to soften', () => {
    expect(inconclusiveReasons(facts({ failedChecks: [] }))).toBeNull();
  });
});

describe('saturated', () => {
  it('counts CPU pressure or load per core, and names what it saw', () => {
    expect(saturated(idle)).toBeNull();
    expect(saturated({ cpus: 2, loadAvg1: 1, cpuPressure: 40 })).toBe('the machine was saturated: CPU pressure 40% (some, avg10)');
    expect(saturated({ cpus: 2, loadAvg1: 3, cpuPressure: null })).toBe('the machine was saturated: load average 3.0 on 2 CPU(s)');
    expect(saturated({ cpus: 4, loadAvg1: 3, cpuPressure: null })).toBeNull();
  });
});

describe('cpuPressure', () => {
  it('reads "some avg10" from /proc/pressure/cpu, null without PSI', () => {
    expect(cpuPressure(() => 'some avg10=12.34 avg60=3.27 avg300=13.80 total=7967514035\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n')).toBe(12.34);
    expect(
      cpuPressure(() => {
        throw new Error('ENOENT');
      }),
    ).toBeNull();
  });
});
