// The shipped examples (issue 11): apps that know nothing of the lab, run as black-box peers. The
// path is the wire oracle's (sessions[].wire.outcome), success is the apps' own (exit 0, done line).
// Their bad input (command not found, a URL that does not load, no peer connection): bad-input.test.ts.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DockerBackend } from '../../lab/backends/docker/docker-backend.js';
import { loadScenario, scenarioFromData } from '../../lab/model/scenario.js';
import type { RunOptions } from '../../lab/run/run-scenario.js';
import type { RunResult } from '../../lab/model/run-result.js';
import { projectPath } from '../../lab/util/paths.js';
import { explainRun, labNamespaces, runInTest } from './helpers.js';
import { CHROMIUM } from './chromium.js';
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';

const CLI_APP = projectPath('examples', 'cli-app');
const BROWSER_APP = projectPath('examples', 'browser-app');
const FIXTURES = projectPath('test', 'fixtures', 'own-services');

function expectAppsDone(r: RunResult): void {
  for (const p of r.peers) {
    expect(p.kind).toBe('app');
    expect(p.app?.failure, `${p.name}: ${p.app?.stderr.join('\n')}; ${explainRun(r)}`).toBeNull();
    expect(p.app?.doneMs).toBeGreaterThan(p.app!.startedMs);
    // Started only after the scenario's own signaling server was ready.
    expect(p.app!.startedMs).toBeGreaterThanOrEqual(r.overhead.servicesReadyMs);
  }
  // The callee's own exit 0 says it is done; the caller's done line says so too.
  expect(r.peers.find((p) => p.name === 'callee')?.app?.doneBy).toBe('exit');
  expect(r.peers.find((p) => p.name === 'caller')?.app?.doneBy).toBe('log');
  expect(r.peers.find((p) => p.name === 'caller')?.app?.stdout).toContain('[caller] got pong 10');
}

/**
 * node-datachannel 0.33.4 (libdatachannel 0.24.5), seen in 2 of 5 full suites on docker (2026-12-03), full-cone x
 * full-cone: the answerer's ICE connects first and its ClientHello (and every retransmission) reaches
 * the offerer's public address on the wire, both apps log "Changed ICE state to connected", and the
 * offerer never sends a DTLS packet: no "DTLS handshake finished" on either side, both time out.
 */
function dtlsStalledInLibdatachannel(r: RunResult): boolean {
  const logs = r.peers.map((p) => p.app?.stdout.join('\n') ?? '');
  const directions = r.sessions[0].wire?.directions ?? [];
  return (
    logs.every((l) => l.includes('Changed ICE state to connected') && !l.includes('DTLS handshake finished')) &&
    directions.length === 2 &&
    directions.filter((d) => d.dtls.packets > 0).length === 1
  );
}

describe('examples/cli-app: a node-datachannel peer pair as kind "app"', () => {
  it('symmetric x symmetric relays, full-cone x full-cone goes direct, by the wire', async (ctx) => {
    const [sym, cone] = await Promise.all([runInTest(ctx, loadScenario(join(CLI_APP, 'symmetric.yaml'))), runInTest(ctx, loadScenario(join(CLI_APP, 'full-cone.yaml')))]);
    for (const [r, want] of [[sym, 'relay'], [cone, 'direct']] as const) {
      expect(r.sessions[0].failure, explainRun(r)).toBeNull();
      expect(r.wire.captured).toBe(true);
      expect(r.sessions[0].wire?.outcome).toBe(want);
      expect(r.sessions[0].outcome).toBe(want);
      expect(r.sessions[0].wire?.directions.every((d) => d.path?.kind === want)).toBe(true);
      expectAppsDone(r);
      expect(labNamespaces(r.labId!)).toEqual([]);
    }
    // TURN by hostname with the scenario's static user: the relay the wire saw is coturn's.
    expect(sym.sessions[0].wire?.directions[0].path?.relays.length).toBeGreaterThan(0);
  });
});

// The same example on the docker backend (docs/docker.md): services, lab DNS and CA through the
// containers' own /etc and mounts, and the wire from the internet bridge. One lab at a time there.
const docker = new DockerBackend();
const dockerUp = await docker.checkAvailable().then(() => true, () => false);
if (!dockerUp && process.env.WEBRTC_LAB_REQUIRE_DOCKER === '1') throw new Error('WEBRTC_LAB_REQUIRE_DOCKER=1 but no Docker daemon answers');

describe.skipIf(!dockerUp)('examples/cli-app on the docker backend', () => {
  it('symmetric x symmetric relays, full-cone x full-cone goes direct, by the wire; a container resolves by the lab DNS and trusts the lab CA', { timeout: 240_000 }, async (ctx) => {
    // The symmetric run also carries an https + wss service of its own (test/fixtures/own-services)
    // under a mapped name, probed from host a's container once the services are ready.
    // Both with libdatachannel's own log (ICE, DTLS) on: a run that fails shows how far each app got.
    const withRtcLog = (file: string) => {
      const spec = parse(readFileSync(join(CLI_APP, file), 'utf8'));
      for (const peer of Object.values(spec.peers) as { command: string[] }[]) peer.command.push('--log', 'Info');
      return spec;
    };
    const spec = withRtcLog('symmetric.yaml');
    spec.services.web = { command: ['node', join(FIXTURES, 'app.mjs')], port: 443, env: { GREETING: 'hello from the lab' } };
    spec.dns['secure.example.com'] = 'web';
    let probe: Record<string, { ok: boolean; value?: unknown; code?: string; ms: number }> = {};
    const afterServices: RunOptions['afterServices'] = async ({ lab, env }) => {
      const out = await lab.exec('a', ['node', join(FIXTURES, 'probe.mjs'), 'secure.example.com', 'nothing.example.com'], { check: false, env, timeoutMs: 30_000 });
      probe = out.code === 0 ? JSON.parse(out.stdout) : { failed: { ok: false, code: out.stderr, ms: 0 } };
    };
    for (const [scenario, want] of [[scenarioFromData(spec, join(CLI_APP, 'symmetric.yaml')), 'relay'], [scenarioFromData(withRtcLog('full-cone.yaml'), join(CLI_APP, 'full-cone.yaml')), 'direct']] as const) {
      const r = await runInTest(ctx, scenario, docker, want === 'relay' ? { afterServices } : {});
      expect(r.backend).toBe('docker');
      const appLogs = r.peers.map((p) => `--- ${p.name}:\n${p.app?.stdout.join('\n')}`).join('\n');
      expect(r.wire.captured, JSON.stringify(r.wire)).toBe(true);
      if (want === 'direct' && dtlsStalledInLibdatachannel(r)) {
        // A finding about the stack, not the lab (docs/peers.md, "node-datachannel"): the lab must
        // still report the apps' failure as it was and the one DTLS direction the wire saw.
        console.warn(`FINDING (node-datachannel): both apps' ICE connected, DTLS went one way only and never finished; the lab reports it as failed:\n${explainRun(r)}`);
        expect(r.sessions[0].outcome).toBe('failed');
        expect(r.sessions[0].failure).toMatch(/not done within/);
        expect(r.sessions[0].wire?.directions.filter((d) => d.dtls.packets > 0).map((d) => d.path?.kind)).toEqual([want]);
        expect((await docker.list()).map((l) => l.id)).not.toContain(r.labId);
        continue;
      }
      expect(r.sessions[0].failure, `${explainRun(r)}\n${JSON.stringify(r.sessions[0].wire)}\n${appLogs}`).toBeNull();
      expect(r.sessions[0].wire?.outcome).toBe(want);
      expect(r.sessions[0].wire?.directions.every((d) => d.path?.kind === want && d.sctp.packets > 0)).toBe(true);
      expectAppsDone(r);
      expect((await docker.list()).map((l) => l.id)).not.toContain(r.labId);
    }
    const web = '203.0.113.253'; // services take addresses from the top down: signal .254, web .253
    expect(probe.lookup?.value, JSON.stringify(probe)).toEqual({ address: web, family: 4 });
    expect(probe.resolve4.value).toEqual([web]); // the lab's resolver itself (c-ares), not the hosts file
    expect(probe.lookupUnmapped).toMatchObject({ ok: false, code: 'ENOTFOUND' });
    expect(probe.resolveUnmapped).toMatchObject({ ok: false, code: 'ENOTFOUND' });
    expect(probe.lookupUnmapped.ms).toBeLessThan(100);
    expect(probe.resolveUnmapped.ms).toBeLessThan(100);
    expect(probe.https).toMatchObject({ ok: true, value: { status: 200 } });
    expect((probe.https.value as { body: string }).body).toContain('<title>hello from the lab</title>');
    expect(probe.wss).toMatchObject({ ok: true, value: 'echo ping' });
  });
});

describe.skipIf(!existsSync(CHROMIUM))('examples/browser-app: a web app in two Chromium pages as kind "browser"', () => {
  it('symmetric x symmetric relays, full-cone x full-cone goes direct, by the wire; every peer connection recorded', async (ctx) => {
    const [sym, cone] = await Promise.all([runInTest(ctx, loadScenario(join(BROWSER_APP, 'symmetric.yaml'))), runInTest(ctx, loadScenario(join(BROWSER_APP, 'full-cone.yaml')))]);
    for (const [r, want] of [[sym, 'relay'], [cone, 'direct']] as const) {
      expect(r.sessions[0].failure, explainRun(r)).toBeNull();
      expect(r.passed).toBe(true);
      expect(r.sessions[0].wire?.outcome).toBe(want);
      expect(r.sessions[0].outcome).toBe(want);
      expect(r.sessions[0].wire?.directions.every((d) => d.path?.kind === want && d.sctp.packets > 0)).toBe(true);
      for (const p of r.peers) {
        expect([p.kind, p.app?.failure, p.app?.doneBy]).toEqual(['browser', null, 'exit']);
        const events = r.events[p.name];
        const names = events.map((e) => e.event);
        for (const e of ['page-loaded', 'pc-created', 'local-candidate', 'action-done', 'selected-pair', 'done']) expect(names, `${p.name}: ${names.join(' ')}`).toContain(e);
        expect(events.filter((e) => e.event === 'connection-state').map((e) => e.state)).toContain('connected');
        // The page's own selected pair agrees with the wire: a relay candidate on one end iff relayed.
        const pair = events.filter((e) => e.event === 'selected-pair').at(-1)!.pair as { local: { candidateType: string }; remote: { candidateType: string } };
        expect([pair.local.candidateType, pair.remote.candidateType].includes('relay')).toBe(want === 'relay');
      }
      expect(labNamespaces(r.labId!)).toEqual([]);
    }
  });
});

