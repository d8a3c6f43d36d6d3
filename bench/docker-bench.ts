/**
 * `npm run bench -- docker`: the same presets and one scenario on Docker and on namespaces, in the
 * same run, with the ratio (the target is at most 3x the netns time per scenario): by the lab's
 * own wall time, and as a whole command (`webrtc-lab run <scenario> --backend docker` against the
 * same on netns, alternated, the ratio taken pair by pair).
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { projectPath, projectRoot } from '../lab/util/paths.js';
import { DockerBackend } from '../lab/backends/docker/docker-backend.js';
import { NetnsBackend } from '../lab/backends/netns/netns-backend.js';
import type { Backend } from '../lab/backends/backend.js';
import { loadScenario } from '../lab/model/scenario.js';
import { listTopologies, loadTopology } from '../lab/model/topology-file.js';
import { runScenario } from '../lab/run/run-scenario.js';
import { monotonicMs } from '../lab/util/clock.js';
import { median } from '../lab/util/stats.js';

async function upDown(backend: Backend, name: string, runs: number): Promise<{ up: number; down: number }> {
  const ups: number[] = [];
  const downs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = monotonicMs();
    const lab = await backend.up(loadTopology(name));
    const t1 = monotonicMs();
    await lab.down();
    ups.push(t1 - t0);
    downs.push(monotonicMs() - t1);
  }
  return { up: Math.round(median(ups)), down: Math.round(median(downs)) };
}

export async function benchDocker(runs: number, presets = listTopologies().filter((t) => t !== 'multi-viewer'), scenario = 'port-restricted-cone', log: (s: string) => void = () => {}) {
  const docker = new DockerBackend();
  const netns = new NetnsBackend();
  await Promise.all([docker.checkAvailable(), netns.checkAvailable()]);
  await docker.up(loadTopology('open')).then((l) => l.down()); // builds the image if needed, outside the figures
  const rows = [];
  log('topology                 docker up / down      netns up / down     ratio up');
  for (const name of presets) {
    const d = await upDown(docker, name, runs);
    const n = await upDown(netns, name, runs);
    rows.push({ topology: name, docker: d, netns: n, ratioUp: Math.round((d.up / n.up) * 10) / 10 });
    log(`${name.padEnd(24)} ${`${d.up} / ${d.down} ms`.padEnd(20)}  ${`${n.up} / ${n.down} ms`.padEnd(18)}  ${(d.up / n.up).toFixed(1)}x`);
  }
  const walls = { docker: [] as number[], netns: [] as number[] };
  for (let i = 0; i < runs; i++) {
    walls.docker.push((await runScenario(loadScenario(scenario), docker)).overhead.wallMs);
    walls.netns.push((await runScenario(loadScenario(scenario), netns)).overhead.wallMs);
  }
  const e2e = { scenario, docker: Math.round(median(walls.docker)), netns: Math.round(median(walls.netns)) };
  log(`scenario ${scenario}: docker ${e2e.docker} ms, netns ${e2e.netns} ms wall, ${(e2e.docker / e2e.netns).toFixed(1)}x`);
  const whole = wholeCommand(runs, scenario, log);
  return { rows, e2e, whole };
}

/** Only the whole command, docker against netns (`npm run bench` with no suite): the image is built first if needed. */
export async function benchDockerWholeCommand(runs: number, scenario = 'port-restricted-cone', log: (s: string) => void = () => {}) {
  const docker = new DockerBackend();
  await docker.checkAvailable();
  await docker.up(loadTopology('open')).then((l) => l.down());
  return wholeCommand(runs, scenario, log);
}

/** The CLI as a user runs it, docker then netns, `runs` times. */
function wholeCommand(runs: number, scenario: string, log: (s: string) => void) {
  const argv = (backend: string) => [process.execPath, projectPath('bin', 'lab.mjs'), 'run', scenario, '--json', '--backend', backend];
  const timed = (backend: string) => {
    const t = monotonicMs();
    const r = spawnSync(argv(backend)[0], argv(backend).slice(1), { cwd: projectRoot, stdio: 'ignore' });
    return { ms: monotonicMs() - t, ok: r.status === 0 };
  };
  const load = loadavg();
  const pairs = Array.from({ length: runs }, () => [timed('docker'), timed('netns')]);
  const ratios = pairs.map(([d, n]) => Math.round((d.ms / n.ms) * 100) / 100);
  const whole = {
    scenario,
    runs,
    docker: Math.round(median(pairs.map(([d]) => d.ms))),
    netns: Math.round(median(pairs.map(([, n]) => n.ms))),
    ratio: Math.round(median(ratios) * 100) / 100,
    ratios,
    passed: pairs.flat().filter((r) => r.ok).length,
    load,
  };
  log(`whole command \`webrtc-lab run ${scenario}\`: docker ${whole.docker} ms, netns ${whole.netns} ms, ${whole.ratio}x (median of the pairs ${ratios.join(', ')}; ${whole.passed}/${runs * 2} passed; load ${load.map((l) => l.toFixed(2)).join(' ')})`);
  return whole;
}
