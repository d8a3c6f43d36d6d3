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

const CLI_APP = projectPath('examples', 'cli-app');

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
  expect(r.peers.find((p) => p.name === 'caller')?.app?.stdout).toContain('[caller] got pong 5');
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
