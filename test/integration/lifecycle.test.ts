// The CLI as a user drives it: up, exec, list, down, clean after kill -9, teardown on signals,
// clear errors for bad input with nothing left behind, several labs at once.
import { existsSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pidsInNamespaces, isAlive } from '../../lab/backends/netns/processes.js';
import { cli, startCli, waitUntil } from './cli.js';
import { labNamespaces } from './helpers.js';

const labIdOf = (text: string) => /lab ([0-9a-f]{6})/.exec(text)?.[1];

describe.concurrent('lab lifecycle through the CLI', () => {
  it('up prints the lab, exec runs inside a host, list shows it, down removes it', async () => {
    const up = await cli(['up', 'port-restricted-cone']);
    expect(up.code).toBe(0);
    const id = labIdOf(up.stdout)!;
    expect(up.stdout).toMatch(/a +192\.168\.1\.2 +on lana/);
    expect(up.stdout).toMatch(/nata +203\.0\.113\.\d+ +on internet, serving lana: port-restricted-cone/);
    expect(labNamespaces(id).length).toBe(6);

    const exec = await cli(['exec', id, 'a', '--', 'ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0']);
    expect(exec.code).toBe(0);
    expect(exec.stdout).toContain('192.168.1.2/24');
    const failing = await cli(['exec', id, 'a', '--', 'sh', '-c', 'exit 7']);
    expect(failing.code).toBe(7);
    const badHost = await cli(['exec', id, 'zz', '--', 'true']);
    expect(badHost.stderr).toContain(`lab ${id} has no host or router "zz" (it has: srv, a, b, nata, natb)`);

    expect((await cli(['list'])).stdout).toContain(`${id}  netns   port-restricted-cone`);
    const down = await cli(['down', id]);
    expect(down.code).toBe(0);
    expect(labNamespaces(id)).toEqual([]);
    expect((await cli(['down', id])).stderr).toContain(`no netns lab with id "${id}"`);
  });

  it('clean removes what a kill -9 left behind: namespaces, processes inside them, state', async () => {
    // Without its reaper, which would remove the lab by itself (reaper.test.ts).
    const run = startCli(['verify-nat', 'symmetric'], { WEBRTC_LAB_REAPER: 'off' });
    const id = await waitUntil(() => labIdOf(run.output()), 15_000, 'the lab id');
    const pids = await waitUntil(() => {
      const p = pidsInNamespaces(labNamespaces(id));
      return p.length >= 2 && p; // coturn and discovery probes running
    }, 15_000, 'processes in the lab');
    run.child.kill('SIGKILL');
    await run.done;
    expect(labNamespaces(id).length).toBeGreaterThan(0);
    expect(pids.some(isAlive)).toBe(true);
    expect((await cli(['list'])).stdout).toContain(id);

    const clean = await cli(['clean', id]);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain(`namespace wrl-${id}-nata`);
    expect(labNamespaces(id)).toEqual([]);
    expect(pids.filter(isAlive)).toEqual([]);
    expect((await cli(['list'])).stdout).not.toContain(id);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} during a run tears down what it built`, async () => {
      const run = startCli(['verify-nat', 'full-cone']);
      const id = await waitUntil(() => labIdOf(run.output()), 15_000, 'the lab id');
      const pids = await waitUntil(() => pidsInNamespaces(labNamespaces(id)).length > 0 && pidsInNamespaces(labNamespaces(id)), 15_000, 'coturn');
      run.child.kill(signal);
      const result = await run.done;
      expect(result.code).toBe(signal === 'SIGTERM' ? 143 : 130);
      expect(result.stderr).toContain(`${signal}: tearing down`);
      expect(labNamespaces(id)).toEqual([]);
      expect(pids.filter(isAlive)).toEqual([]);
    });
  }

  it('a reader that goes away (`| head`) ends the run like SIGPIPE and tears down what it built', async () => {
    const run = startCli(['symmetric-nat']);
    const id = await waitUntil(() => labIdOf(run.output()), 15_000, 'the lab id');
    const pids = await waitUntil(() => pidsInNamespaces(labNamespaces(id)).length > 0 && pidsInNamespaces(labNamespaces(id)), 15_000, 'the services');
    run.child.stdout!.destroy();
    run.child.stderr!.destroy();
    const result = await run.done;
    expect(result.code).toBe(141);
    expect(labNamespaces(id)).toEqual([]);
    expect(pids.filter(isAlive)).toEqual([]);
  });

  it('a bad topology file gets an error naming the file and field, and nothing is built', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-test-'));
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, readFileSync('topologies/full-cone.yaml', 'utf8').replace('nat: full-cone', 'nat: fulcone').replace('a: { segment: lana }', 'a: { segment: lanz }'));
    // Its own state folder: a lab built by this command, even half-way, would leave its trace there.
    const state = join(dir, 'state');
    const up = await cli(['up', file], { WEBRTC_LAB_STATE_DIR: state });
    expect(up.code).toBe(2); // a schema error is a usage error
    expect(up.stderr).toContain(`${file}: routers.nata.nat: must be a NAT preset`);
    expect(up.stderr).toContain('nothing was built');
    expect(existsSync(state)).toBe(false);
    const unknown = await cli(['up', 'no-such-topology']);
    expect(unknown.stderr).toMatch(/unknown topology "no-such-topology" \(known: cgnat, firewalled, full-cone/);
  });

  it('several labs of the same topology run at once without collision', async () => {
    const ups = await Promise.all([1, 2, 3].map(() => cli(['up', 'symmetric'])));
    const ids = ups.map((u) => labIdOf(u.stdout)!);
    expect(new Set(ids).size).toBe(3);
    const addrs = await Promise.all(ids.map((id) => cli(['exec', id, 'nata', '--', 'ip', '-4', '-o', 'addr', 'show', 'dev', 'wan0'])));
    for (const a of addrs) expect(a.stdout).toContain('203.0.113.4/24');
    await cli(['down', ...ids]);
    for (const id of ids) expect(labNamespaces(id)).toEqual([]);
  });

  it('every command has --help; usage errors exit 2', async () => {
    for (const cmd of ['up', 'exec', 'down', 'list', 'clean', 'verify-nat', 'rules', 'topologies']) {
      const help = await cli([cmd, '--help']);
      expect(help.code, cmd).toBe(0);
      expect(help.stdout).toContain(`Usage: npm run lab -- ${cmd}`);
    }
    expect((await cli(['--help'])).stdout).toContain('Commands:');
    expect((await cli(['frobnicate'])).code).toBe(2);
    expect((await cli(['up'])).code).toBe(2);
    expect((await cli(['up', 'open', '--bogus'])).stderr).toContain("Unknown option '--bogus'");
  });

  it('rules prints the generated ruleset without building anything', async () => {
    const r = await cli(['rules', 'full-cone']);
    expect(r.stdout).toContain('# router nata');
    expect(r.stdout).toContain('map mapped_port');
    expect(existsSync('/run/netns/wrl-000000-nata')).toBe(false);
  });
});

// Not beside the tests above: a clean of every lab would take their abandoned (kill -9) labs before they look.
describe('clean without ids', () => {
  it('clean without ids leaves a lab its live owner is still running, and says so', async () => {
    const run = startCli(['verify-nat', 'symmetric']);
    const id = await waitUntil(() => labIdOf(run.output()), 15_000, 'the lab id');
    await waitUntil(() => labNamespaces(id).length >= 2, 15_000, 'the lab namespaces');
    const clean = await cli(['clean']);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain(`kept ${id}: its owner (PID `);
    expect(labNamespaces(id).length).toBeGreaterThan(0);
    // The run goes on undisturbed to its verdict.
    expect((await run.done).code).toBe(0);
  });
});
