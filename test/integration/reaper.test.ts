// A lab cleans up after itself: kill -9 of the process that owns it, at any moment, leaves nothing
// 2 s later (no namespace, process, container, network, state or scratch folder) without anyone
// running `clean`; an aborted run or a timed-out test takes its lab down; a dead lab's leftovers
// do not fail the next lab.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { DockerBackend } from '../../lab/backends/docker/docker-backend.js';
import { isAlive, pidsInNamespaces } from '../../lab/backends/netns/processes.js';
import { loadScenario } from '../../lab/model/scenario.js';
import { runScenario } from '../../lab/run/run-scenario.js';
import { projectPath } from '../../lab/util/paths.js';
import { cli, startCli, waitUntil } from './cli.js';
import { backend, labNamespaces } from './helpers.js';
import { asUser, prepareUnprivileged, userStateRoot } from './unprivileged-user.js';

const DEADLINE_MS = 2000;
// Its own state root: what a lab leaves there is this file's to see (and nobody else's).
const state = mkdtempSync(join(tmpdir(), 'lab-reaper-state-'));
const reports = mkdtempSync(join(tmpdir(), 'lab-reaper-reports-'));
const env = { WEBRTC_LAB_STATE_DIR: state, WEBRTC_LAB_REPORTS_DIR: reports, WEBRTC_LAB_REAPER_LOG: join(state, 'reaper.log') };
// What the reapers wrote is shown in a failure's message; nothing of this file outlives it.
afterAll(() => [state, reports].forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The lab id, as soon as its session made its scratch folder (before anything is built). */
const labIdIn = () => readdirSync(state).map((d) => /^run-([0-9a-f]{6})-/.exec(d)?.[1]).find(Boolean);

/** Processes whose command line names the lab (its reaper, peers entered into its namespaces...). */
function labProcesses(id: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').some((a) => a.includes(`wrl-${id}-`) || a === id || a.includes(`/${id}/`) || a.includes(`run-${id}-`));
      } catch {
        return false;
      }
    })
    .map(Number)
    .filter(isAlive);
}

const docker = new DockerBackend();
const dockerUp = await docker.checkAvailable().then(() => true, () => false);
if (!dockerUp && process.env.WEBRTC_LAB_REQUIRE_DOCKER === '1') throw new Error('WEBRTC_LAB_REQUIRE_DOCKER=1 but no Docker daemon answers');

async function dockerLeftovers(id: string): Promise<string[]> {
  if (!dockerUp) return [];
  const { default: Dockerode } = await import('dockerode');
  const d = new Dockerode();
  const filters = { label: [`webrtc-lab.lab=${id}`] };
  return [...(await d.listContainers({ all: true, filters })).map((c) => `container ${c.Names[0]}`), ...(await d.listNetworks({ filters })).map((n) => `network ${n.Name}`)];
}

/** A process's command line, or a note when it exited between listing and reading. */
function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').slice(0, 120);
  } catch {
    return '(exited while being listed)';
  }
}

/** Everything of lab `id` that still exists, besides the processes seen while it ran. */
async function leftovers(id: string, seen: number[]): Promise<string[]> {
  return [
    ...labNamespaces(id).map((ns) => `namespace ${ns}`),
    ...[...new Set([...seen.filter(isAlive), ...labProcesses(id)])].map((pid) => `process ${pid}: ${commandLine(pid)}`),
    ...readdirSync(state).filter((d) => d === id || d.startsWith(`run-${id}-`)).map((d) => `state ${d}`),
    ...(await dockerLeftovers(id)),
  ];
}

/** Polls until nothing of the lab is left; fails with what is left at the deadline. */
async function expectNothingLeftWithin(ms: number, id: string, seen: number[]): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const left = await leftovers(id, seen);
    if (!left.length) return Date.now() - t0;
    if (Date.now() - t0 > ms) throw new Error(`lab ${id}: ${Date.now() - t0} ms after kill -9 still there:\n  ${left.join('\n  ')}\n${reaperLog(id)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const reaperLog = (id: string) => (existsSync(env.WEBRTC_LAB_REAPER_LOG) ? readFileSync(env.WEBRTC_LAB_REAPER_LOG, 'utf8').split('\n').filter((l) => l.includes(id)).join('\n') : '(no reaper log)');

interface Moment {
  name: string;
  args: string[];
  /** When to pull the trigger: from the command's output, or once its namespaces exist. */
  when: (output: string, id: string) => boolean;
}

const nsExists = (_: string, id: string) => labNamespaces(id).length > 0;
const netnsMoments: Moment[] = [
  { name: 'during bring-up of a run', args: ['symmetric-nat'], when: nsExists },
  { name: 'after the services are ready', args: ['symmetric-nat'], when: (out) => out.includes('coturn and signaling ready') },
  { name: 'while the peers connect', args: ['symmetric-nat'], when: (out) => /viewer: offer-sent/.test(out) },
  { name: 'during `up`', args: ['up', 'symmetric'], when: nsExists },
  { name: 'during verify-nat discovery', args: ['verify-nat', 'symmetric'], when: (out) => out.includes('running turnutils_natdiscovery') },
];

async function killAt(m: Moment, extra: string[] = []): Promise<{ id: string; ms: number }> {
  const run = startCli([...m.args, ...extra], env);
  const id = await waitUntil(labIdIn, 20_000, 'the lab id');
  // Poll fast: some moments last only a few hundred ms.
  const deadline = Date.now() + 60_000;
  while (!m.when(run.output(), id)) {
    if (Date.now() > deadline || run.child.exitCode !== null) throw new Error(`${m.name}: the moment never came:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  const seen = pidsInNamespaces(labNamespaces(id));
  run.child.kill('SIGKILL');
  await run.done;
  const ms = await expectNothingLeftWithin(DEADLINE_MS, id, seen);
  console.log(`kill -9 ${m.name} (${m.args.join(' ')} ${extra.join(' ')}): lab ${id} gone ${ms} ms later, ${seen.length} process(es) were in it`);
  return { id, ms };
}

describe('kill -9 of the lab process leaves nothing after 2 s (netns)', () => {
  for (const m of netnsMoments) it(m.name, async () => void (await killAt(m)));

  it('a lab handed over by `up` stays after its command exits; down removes it', async () => {
    const up = await cli(['up', 'open'], env);
    expect(up.code, up.stderr).toBe(0);
    const id = /lab ([0-9a-f]{6}) is up/.exec(up.stdout)![1];
    // Longer than any reaper takes: the lab must still be there.
    await new Promise((r) => setTimeout(r, 1000));
    expect(labNamespaces(id).length).toBeGreaterThan(0);
    expect(labProcesses(id)).toEqual([]);
    expect((await cli(['down', id], env)).code).toBe(0);
    expect(await leftovers(id, [])).toEqual([]);
  });
});

describe('kill -9 in user-namespace mode (a non-root user) leaves nothing after 2 s', () => {
  let copy = '';
  let remove = () => {};
  beforeAll(() => void ({ copy, remove } = prepareUnprivileged()));
  afterAll(() => remove());

  /** Processes in the user namespace of pid (the lab's, with every namespace built in it). */
  const inUserNamespaceOf = (pid: number) => {
    const ns = readlinkSync(`/proc/${pid}/ns/user`);
    return () =>
      readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .filter((p) => {
          try {
            return readlinkSync(`/proc/${p}/ns/user`) === ns;
          } catch {
            return false;
          }
        })
        .map(Number)
        .filter(isAlive);
  };

  for (const [what, args, when, victim] of [
    ['the lab process during verify-nat discovery', ['verify-nat', 'symmetric'], 'running turnutils_natdiscovery', 'owner'],
    ['the outer command while `up` holds the lab in the foreground', ['up', 'full-cone'], 'user-namespace mode: the lab lives', 'outer'],
  ] as const) {
    it(`kill -9 of ${what}`, async () => {
      const run = asUser(copy, [...args]);
      onTestFinished(() => void (run.child.exitCode === null && run.child.kill('SIGKILL')));
      await waitUntil(() => run.output().includes(when), 30_000, when);
      const id = /lab ([0-9a-f]{6})/.exec(run.output())![1];
      const owner = JSON.parse(readFileSync(join(userStateRoot(), id, 'lab.json'), 'utf8')).ownerPid as number;
      const labProcessesNow = inUserNamespaceOf(owner);
      const before = labProcessesNow();
      // runuser -> node (outer CLI) -> unshare/sh -> node (inner CLI, the lab's owner)
      const outer = Number(readFileSync(`/proc/${owner}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
      process.kill(victim === 'owner' ? owner : outer, 'SIGKILL');
      const t0 = Date.now();
      const left = () => [
        ...labProcessesNow().map((p) => `process ${p} in the lab's user namespace`),
        ...labProcesses(id).map((p) => `process ${p} naming the lab`),
        ...readdirSync(userStateRoot()).filter((d) => d === id || d.startsWith(`run-${id}-`)).map((d) => `state ${d}`),
      ];
      await waitUntil(() => left().length === 0 || Date.now() - t0 > DEADLINE_MS, DEADLINE_MS + 1000, 'the deadline');
      expect(left(), `${before.length} process(es) were in the lab`).toEqual([]);
      console.log(`kill -9 of ${what}: lab ${id} gone ${Date.now() - t0} ms later, ${before.length} process(es) were in its user namespace`);
    });
  }
});

describe('aborting a run', () => {
  it('runScenario({ signal }) rejects with an AbortError once its lab is down', async () => {
    const controller = new AbortController();
    let id = '';
    const run = runScenario(loadScenario('symmetric-nat'), backend, {
      onProgress: (line) => {
        id ||= /lab ([0-9a-f]{6})/.exec(line)?.[1] ?? '';
        if (line.includes('coturn and signaling ready')) controller.abort(new Error('enough'));
      },
      signal: controller.signal,
    });
    const err = await run.then(() => null, (e: Error & { code?: string }) => e);
    expect(id).toMatch(/^[0-9a-f]{6}$/);
    expect(err?.name).toBe('AbortError');
    expect(err?.code).toBe('aborted');
    expect(err?.message).toContain('enough');
    // Down before the promise settled: no deadline needed.
    expect(labNamespaces(id)).toEqual([]);
    expect(labProcesses(id)).toEqual([]);
  });

  it('a vitest test that times out aborts its run (ctx.signal) and leaves nothing, even without the reaper', async () => {
    // Inside the project, so the fixture resolves vitest and the lab like any test here.
    const dir = mkdtempSync(projectPath('test', '.timeout-fixture-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const fixtureState = join(dir, 'state');
    writeFileSync(
      join(dir, 'times-out.test.ts'),
      [
        `import { it } from 'vitest';`,
        `import { loadScenario } from '${projectPath('lab/model/scenario.js')}';`,
        `import { runInTest } from '${projectPath('test/integration/helpers.js')}';`,
        // A run that would never end on its own: only the test's signal can stop it.
        `it('runs longer than its timeout', async (ctx) => {`,
        `  await runInTest(ctx, loadScenario('symmetric-nat'), undefined, { onProgress: (l) => console.log(l), afterServices: () => new Promise(() => {}) });`,
        `}, 3000);`,
      ].join('\n'),
    );
    writeFileSync(join(dir, 'vitest.config.ts'), `export default { test: { include: ['times-out.test.ts'], hookTimeout: 15000 } };\n`);
    const nested = spawn(process.execPath, [projectPath('node_modules/vitest/vitest.mjs'), 'run', '--root', dir], {
      cwd: projectPath(),
      env: { ...process.env, WEBRTC_LAB_STATE_DIR: fixtureState, WEBRTC_LAB_REAPER: 'off' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    nested.stdout.on('data', (d) => (out += d));
    nested.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((r) => nested.on('close', r));
    expect(code, out).toBe(1);
    expect(out).toMatch(/Test timed out in 3000ms/);
    const id = /lab ([0-9a-f]{6})/.exec(out)?.[1];
    expect(id, out).toMatch(/^[0-9a-f]{6}$/);
    expect(labNamespaces(id!)).toEqual([]);
    expect(labProcesses(id!)).toEqual([]);
    expect(existsSync(fixtureState) ? readdirSync(fixtureState) : []).toEqual([]);
  });
});

(dockerUp ? describe : describe.skip)('kill -9 of the lab process leaves nothing after 2 s (docker)', () => {
  const dockerMoments = netnsMoments.filter((m) => m.args[0] !== 'verify-nat');
  // Docker builds no namespaces: bring-up has begun once the backend wrote the lab's state.
  const building = (_: string, id: string) => existsSync(join(state, id, 'lab.json'));
  for (const m of dockerMoments) {
    it(m.name, async () => void (await killAt(m.when === nsExists ? { ...m, when: building } : m, ['--backend', 'docker'])));
  }

  it("a dead lab's containers are removed before the next lab is built", async () => {
    // A lab left by an owner that died with its reaper switched off: its containers stay.
    const run = startCli(['up', 'open', '--backend', 'docker'], { ...env, WEBRTC_LAB_REAPER: 'off' });
    const id = await waitUntil(labIdIn, 20_000, 'the lab id');
    await waitUntil(() => run.output().includes('wiring links'), 60_000, 'the containers');
    run.child.kill('SIGKILL');
    await run.done;
    expect((await dockerLeftovers(id)).some((l) => l.startsWith('container'))).toBe(true);
    const next = await cli(['up', 'open', '--backend', 'docker'], env);
    expect(next.code, next.stderr).toBe(0);
    const nextId = /lab ([0-9a-f]{6}) is up/.exec(next.stdout)![1];
    expect(await dockerLeftovers(id)).toEqual([]);
    expect((await cli(['down', nextId], env)).code).toBe(0);
    expect(await dockerLeftovers(nextId)).toEqual([]);
  });
});
