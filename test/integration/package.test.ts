/**
 * The lab as a team meets it: packed (`npm pack`), installed from the tarball into a fresh project
 * beside its own dependencies, then used there through `npx webrtc-lab` and through the API in the
 * team's own vitest suite (examples/vitest). Nothing of this checkout is visible to that project.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectPath } from '../../lab/util/paths.js';

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

// The parent npm's settings (npm_config_prefix...) must not leak into the fresh project's npm.
// Output is read as text: no colours.
const cleanEnv = () => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && !['WEBRTC_LAB_REPORTS_DIR', 'INIT_CWD', 'FORCE_COLOR'].includes(k))),
  NO_COLOR: '1',
});

function run(argv: string[], cwd: string, timeoutMs: number): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { cwd, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`${argv.join(' ')} did not finish within ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const version = JSON.parse(readFileSync(projectPath('package.json'), 'utf8')).version as string;
let tmp = '';
let proj = '';

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'webrtc-lab-pack-'));
  const packed = await run(['npm', 'pack', '--pack-destination', tmp], projectPath(), 240_000);
  expect(packed.code, packed.stderr).toBe(0);
  const tarball = join(tmp, `webrtc-nat-lab-${version}.tgz`);
  expect(existsSync(tarball)).toBe(true);
  proj = join(tmp, 'my-app');
  cpSync(projectPath('examples', 'vitest'), proj, { recursive: true });
  const pkg = JSON.parse(readFileSync(join(proj, 'package.json'), 'utf8'));
  pkg.devDependencies['webrtc-nat-lab'] = `file:${tarball}`;
  writeFileSync(join(proj, 'package.json'), JSON.stringify(pkg, null, 2));
  const installed = await run(['npm', 'install', '--prefer-offline', '--no-audit', '--no-fund'], proj, 300_000);
  expect(installed.code, installed.stderr).toBe(0);
}, 600_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('the packed and installed package', () => {
  it('ships built bundles, types and presets, and no sources', () => {
    const lib = join(proj, 'node_modules', 'webrtc-nat-lab');
    for (const f of ['dist/cli.mjs', 'dist/index.mjs', 'dist/services.mjs', 'dist/peers/viewer.mjs', 'dist/types/lab/index.d.ts', 'scenarios/symmetric-nat.yaml', 'topologies/symmetric.yaml', 'schemas/run-result.schema.json', 'peers/contract.schema.json', 'peers/media/kvs-720p25.h264', 'docker/Dockerfile', 'examples/cli-app/peer.mjs', 'examples/browser-app/index.html']) {
      expect(existsSync(join(lib, f)), f).toBe(true);
    }
    expect(existsSync(join(lib, 'lab'))).toBe(false);
  });

  it('npx webrtc-lab run symmetric-nat --json: relay, the report in ./reports of the project, none in node_modules', async () => {
    const r = await run(['npx', 'webrtc-lab', 'run', 'symmetric-nat', '--json'], proj, 120_000);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.outcome).toBe('relay');
    expect(existsSync(join(proj, 'reports', result.runId, 'result.json'))).toBe(true);
    expect(existsSync(join(proj, 'node_modules', 'webrtc-nat-lab', 'reports'))).toBe(false);
  }, 150_000);

  it('npx webrtc-lab init writes the starter; run again it refuses, names the files and writes nothing', async () => {
    const first = await run(['npx', 'webrtc-lab', 'init'], proj, 60_000);
    expect(first.code, first.stderr).toBe(0);
    const files = ['lab/my-app.yaml', 'lab/nat-gate.yaml', 'webrtc-lab.config.ts', '.github/workflows/nat-gate.yml'];
    for (const f of files) expect(existsSync(join(proj, f)), f).toBe(true);
    expect(readFileSync(join(proj, '.github/workflows/nat-gate.yml'), 'utf8')).toMatch(/apt-get install -y --no-install-recommends iproute2 nftables coturn[^]*--shard \$\{\{ matrix\.shard \}\}\/4[^]*webrtc-lab merge/);
    unlinkSync(join(proj, 'lab/nat-gate.yaml'));
    const again = await run(['npx', 'webrtc-lab', 'init'], proj, 60_000);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('lab/my-app.yaml, webrtc-lab.config.ts, .github/workflows/nat-gate.yml already exist; nothing was written');
    expect(existsSync(join(proj, 'lab/nat-gate.yaml'))).toBe(false);
    writeFileSync(join(proj, 'lab/nat-gate.yaml'), 'expect: {}\n');
  });

  it("the starter scenario runs: its command peer from the scenario's folder, the TypeScript config (defineConfig by package name) applied", async () => {
    const r = await run(['npx', 'webrtc-lab', 'run', 'lab/my-app.yaml', '--json'], proj, 120_000);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.scenario).toBe('my-app');
    expect(result.outcome).toBe('relay');
    // The starter config says retries: 1, so the run is recorded as a repeated one.
    expect(result.repeat).toMatchObject({ runs: 1 });
  }, 150_000);

  it('npx webrtc-lab init --example cli-app copies the shipped example; its symmetric scenario relays from the installed package', async () => {
    // A folder of its own inside the project: the starter above already wrote the config and workflow.
    const team = join(proj, 'team2');
    mkdirSync(team);
    const init = await run(['npx', 'webrtc-lab', 'init', '--example', 'cli-app'], team, 60_000);
    expect(init.code, init.stderr).toBe(0);
    for (const f of ['lab/cli-app/peer.mjs', 'lab/cli-app/signal-server.mjs', 'lab/cli-app/symmetric.yaml', 'lab/cli-app/full-cone.yaml', 'lab/nat-gate.yaml', 'webrtc-lab.config.ts', '.github/workflows/nat-gate.yml']) expect(existsSync(join(team, f)), f).toBe(true);
    expect(readFileSync(join(team, 'lab/cli-app/peer.mjs'), 'utf8')).toBe(readFileSync(projectPath('examples/cli-app/peer.mjs'), 'utf8'));
    const r = await run(['npx', 'webrtc-lab', 'run', 'lab/cli-app/symmetric.yaml', '--json'], team, 120_000);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.sessions[0].wire.outcome).toBe('relay');
    expect(result.peers.map((p: { kind: string }) => p.kind)).toEqual(['app', 'app']);
  }, 150_000);

  it('npx webrtc-lab doctor: one line per check, exit 0 here (the netns backend can run)', async () => {
    const r = await run(['npx', 'webrtc-lab', 'doctor'], proj, 60_000);
    expect(r.code, r.stdout).toBe(0);
    for (const name of ['node', 'privileges', 'nft', 'turnserver', 'nf_tables NAT', 'docker']) expect(r.stdout).toMatch(new RegExp(`^(ok|missing|MISSING) +${name} `, 'm'));
    expect(r.stdout).toContain('the netns backend can run here');
  });

  it("the team's own suite: typechecks against the shipped declarations and runs the API by package name", async () => {
    const types = await run(['npx', 'tsc', '--noEmit', '-p', '.'], proj, 120_000);
    expect(types.code, types.stdout + types.stderr).toBe(0);
    const suite = await run(['npx', 'vitest', 'run', '--reporter=verbose'], proj, 300_000);
    expect(suite.code, suite.stdout + suite.stderr).toBe(0);
    expect(suite.stdout).toMatch(/Tests +3 passed \(3\)/);
    expect(readdirSync(join(proj, 'reports')).length).toBeGreaterThanOrEqual(3);
  }, 450_000);
});
