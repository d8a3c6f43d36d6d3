// The shipped examples (issue 11): apps that know nothing of the lab, run as black-box peers. The
// path is the wire oracle's (sessions[].wire.outcome), success is the apps' own (exit 0, done line).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadScenario } from '../../lab/model/scenario.js';
import type { RunResult } from '../../lab/model/run-result.js';
import { projectPath } from '../../lab/util/paths.js';
import { cli } from './cli.js';
import { explainRun, labNamespaces, runInTest } from './helpers.js';
import { CHROMIUM } from './chromium.js';
import { existsSync } from 'node:fs';

const CLI_APP = projectPath('examples', 'cli-app');
const BROWSER_APP = projectPath('examples', 'browser-app');

function expectAppsDone(r: RunResult): void {
  for (const p of r.peers) {
    expect(p.kind).toBe('app');
    expect(p.app?.failure, `${p.name}: ${p.app?.stderr.join('\n')}`).toBeNull();
    expect(p.app?.doneMs).toBeGreaterThan(p.app!.startedMs);
    // Started only after the scenario's own signaling server was ready.
    expect(p.app!.startedMs).toBeGreaterThanOrEqual(r.overhead.servicesReadyMs);
  }
  // The callee's own exit 0 says it is done; the caller's done line says so too.
  expect(r.peers.find((p) => p.name === 'callee')?.app?.doneBy).toBe('exit');
  expect(r.peers.find((p) => p.name === 'caller')?.app?.doneBy).toBe('log');
  expect(r.peers.find((p) => p.name === 'caller')?.app?.stdout).toContain('[caller] got pong 10');
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

  it('an app peer whose command is not found: exit 1 naming peers.<name>.command[0], nothing built', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-app-'));
    try {
      const spec = parse(readFileSync(join(CLI_APP, 'symmetric.yaml'), 'utf8'));
      spec.services.signal.command = ['node', join(CLI_APP, 'signal-server.mjs'), '8080'];
      spec.peers.caller.command = ['no-such-app-xyz', '--role', 'caller'];
      writeFileSync(join(dir, 'bad.yaml'), stringify(spec));
      const r = await cli(['run', join(dir, 'bad.yaml')]);
      expect(r.code).toBe(1);
      expect(r.stdout + r.stderr).toMatch(/bad\.yaml: peers\.caller\.command\[0\]: program "no-such-app-xyz" is not found on PATH/);
      expect(r.stdout + r.stderr).not.toMatch(/building/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The browser example's scenario with one peer's page changed (in a temporary folder, services by absolute path). */
function browserVariant(dir: string, name: string, change: (spec: Record<string, any>) => void): string {
  const spec = parse(readFileSync(join(BROWSER_APP, 'full-cone.yaml'), 'utf8'));
  spec.services.web.command = ['node', join(BROWSER_APP, 'server.mjs')];
  change(spec);
  writeFileSync(join(dir, `${name}.yaml`), stringify(spec));
  return join(dir, `${name}.yaml`);
}

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

  it('a URL that does not load and a page that never makes a peer connection: exit 1 naming the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'browser-app-'));
    try {
      const badUrl = browserVariant(dir, 'bad-url', (s) => (s.peers.caller.url = 'https://nothing.example.com/'));
      const noPc = browserVariant(dir, 'no-pc', (s) => {
        s.timeoutMs = 6000;
        s.peers.caller.url = 'https://chat.example.com:8443/config.json';
        delete s.peers.caller.actions;
      });
      const [a, b] = await Promise.all([cli(['run', badUrl]), cli(['run', noPc])]);
      expect(a.code).toBe(1);
      expect(a.stdout + a.stderr).toMatch(/bad-url\.yaml: peers\.caller\.url: https:\/\/nothing\.example\.com\/ did not load: .*ERR_NAME_NOT_RESOLVED/);
      expect(b.code).toBe(1);
      expect(b.stdout + b.stderr).toMatch(/no-pc\.yaml: peers\.caller: the page at https:\/\/chat\.example\.com:8443\/config\.json made no RTCPeerConnection within 6000 ms/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

