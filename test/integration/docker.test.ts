// The Docker backend: same topology files, same rules, same scenarios, same results as netns.
// Needs a Docker daemon; CI starts one and sets WEBRTC_LAB_REQUIRE_DOCKER=1 so a missing daemon fails.
import { readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { DockerBackend } from '../../lab/backends/docker/docker-backend.js';
import { BROWSER_VIEWER_KINDS, listScenarios, loadScenario } from '../../lab/model/scenario.js';
import { loadTopology } from '../../lab/model/topology-file.js';
import type { RunResult } from '../../lab/model/run-result.js';
import { verifyNat } from '../../lab/verify/verify-nat.js';
import { cli } from './cli.js';
import { backend as netns, explainRun, runInTest } from './helpers.js';

const docker = new DockerBackend();
const available = await docker.checkAvailable().then(() => true, () => false);
if (!available && process.env.WEBRTC_LAB_REQUIRE_DOCKER === '1') throw new Error('WEBRTC_LAB_REQUIRE_DOCKER=1 but no Docker daemon answers');
const withDocker = available ? describe : describe.skip;

describe('docker backend without a daemon', () => {
  it('says exactly what is missing and how to fix it; netns never needs Docker', async () => {
    const r = await cli(['up', 'open', '--backend', 'docker'], { DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--backend docker needs a running Docker daemon, and none answers at unix:///nonexistent/docker.sock');
    expect(r.stderr).toContain('the default netns backend needs no Docker');
  });
});

withDocker('docker backend', () => {
  it('up, exec and down: interfaces named by the lab whatever order Docker gave, nothing left behind', async () => {
    const up = await cli(['up', 'cgnat', '--backend', 'docker']);
    expect(up.code, up.stderr).toBe(0);
    const id = /lab ([0-9a-f]{6}) is up/.exec(up.stdout)![1];
    const links = await cli(['exec', id, 'homea', '--backend', 'docker', '--', 'ip', '-o', '-4', 'addr', 'show']);
    expect(links.stdout).toMatch(/wan0\s+inet 100\.64\.0\.2\/24/);
    expect(links.stdout).toMatch(/lan0\s+inet 192\.168\.1\.1\/24/);
    const rules = await cli(['exec', id, 'cgn', '--backend', 'docker', '--', 'nft', 'list', 'table', 'ip', 'lab']);
    expect(rules.stdout).toContain('map mapped_port');
    expect((await cli(['list'])).stdout).toContain(`${id}  docker  cgnat`);
    expect((await cli(['down', id, '--backend', 'docker'])).code).toBe(0);
    const left = await docker.list();
    expect(left.map((l) => l.id)).not.toContain(id);
  });

  it('no node can reach any address of the machine (no Docker network: the bridges, the routers and srv are in the switch container)', async () => {
    const addrs = Object.values(networkInterfaces()).flat().filter((i) => i && i.family === 'IPv4' && !i.internal).map((i) => i!.address);
    const server = createServer((c) => c.destroy());
    await new Promise<void>((r) => server.listen(0, '0.0.0.0', () => r()));
    const port = (server.address() as { port: number }).port;
    const lab = await docker.up(loadTopology('port-restricted-cone'));
    try {
      const probe = `const net=require('net');let open=0;Promise.all(${JSON.stringify(addrs)}.map(a=>new Promise(r=>{const c=net.connect({host:a,port:${port},timeout:700});c.on('connect',()=>{open++;c.destroy();r()});c.on('timeout',()=>{c.destroy();r()});c.on('error',()=>r())}))).then(()=>console.log(open))`;
      for (const node of ['a', 'srv', 'nata']) expect((await lab.exec(node, ['node', '-e', probe])).stdout.trim()).toBe('0');
    } finally {
      await lab.down();
      server.close();
    }
  });

  it('two labs of one address plan at once: each run gives its expected outcome, and nothing of either is left', { timeout: 120_000 }, async (ctx) => {
    // Same topology, same addresses as seen from inside: no Docker network, so no daemon subnet to collide.
    const runs = await Promise.all(['port-restricted-cone', 'relay-forced'].map((name) => runInTest(ctx, loadScenario(name), docker)));
    const ids = runs.map((r) => r.labId!);
    expect(runs.map((r) => [r.scenario, r.outcome, r.passed]), runs.map(explainRun).join('\n')).toEqual([['port-restricted-cone', 'direct', true], ['relay-forced', 'relay', true]]);
    expect(new Set(ids).size).toBe(2);
    const { default: Dockerode } = await import('dockerode');
    const d = new Dockerode();
    for (const id of ids) {
      const filters = { label: [`webrtc-lab.lab=${id}`] };
      expect([...(await d.listContainers({ all: true, filters })).map((c) => c.Names[0]), ...(await d.listNetworks({ filters })).map((n) => n.Name)]).toEqual([]);
      expect(readdirSync('/run/netns').filter((ns) => ns.includes(id))).toEqual([]);
    }
  });

  it('clean finds a crashed lab by its labels', async () => {
    const lab = await docker.up(loadTopology('open'));
    const removed = await docker.clean([lab.id]);
    // a, b and the switch (srv is a namespace inside it); no Docker network
    expect(removed.filter((r) => r.startsWith('container'))).toHaveLength(3);
    expect(removed.filter((r) => r.startsWith('network'))).toHaveLength(0);
    expect((await docker.list()).map((l) => l.id)).not.toContain(lab.id);
  });

  it('routers behave as declared (RFC 5780 discovery inside the containers)', async () => {
    for (const name of ['full-cone', 'symmetric']) {
      const r = await verifyNat(docker, loadTopology(name));
      expect(r.hosts.map((h) => [h.host, h.match])).toEqual([['a', true], ['b', true]]);
    }
  });

  // prflx and srflx both mean "came through a NAT"; which one a peer sees depends only on whether
  // the candidate was signalled before the first check arrived, a race on any backend.
  // In a relayed session, which relay pair wins (relay-relay or srflx-relay) is a race between pairs
  // of the same class: measured, whep-symmetric-nat gave relay-relay 3/3 on netns and srflx-relay
  // 3/3 on docker (2026-12-01). A relayed session is compared by the fact that it relays.
  const ends = (r: RunResult) => r.sessions.map((s) => (s.outcome === 'relay' ? [s.outcome] : [s.outcome, ...[s.candidateTypes.viewer, s.candidateTypes.camera].map((t) => (t === 'prflx' ? 'srflx' : t))]));

  // The lab's image carries no browser: Chromium viewers run on the netns backend.
  // Not on docker yet: Chromium viewers (no browser in the image), signaling: mqtt (the offline
  // image carries no mosquitto; noted on issue 12) and signaling: kvs (refused: backend-fit.ts).
  const withoutBrowser = listScenarios().filter((name) => {
    const s = loadScenario(name);
    // Scenarios with network events or link impairments run on docker in docker-dynamics.test.ts
    // (the presets nat-rebinding and wifi-to-lte, and the measured impairments): parity here would
    // run each up to six times more, and the impaired presets are flaky or fail on purpose (satellite).
    return s.signaling !== 'mqtt' && s.signaling !== 'kvs' && !s.events && !s.impairments?.length && ![s.camera, ...s.viewers].some((p) => BROWSER_VIEWER_KINDS.includes(p.kind));
  });

  // Which of several working pairs ICE nominates first is a race on either backend (werift nominates
  // aggressively; ten handshakes at once load two cores), so each backend gets up to three runs and
  // some docker run must show what some netns run showed; every run before that is printed.
  // Up to three runs on each backend: multi-viewer (11 peers) takes 20-40 s a run on docker under load.
  it.for(withoutBrowser)('parity with netns: %s', { timeout: 300_000 }, async (name, ctx) => {
    const scenario = loadScenario(name);
    // Ten viewers: every one must connect on both backends; which pair each nominates varies.
    const shows = (r: RunResult) => JSON.stringify([r.outcome, scenario.viewers.length > 1 ? r.summary.connected : ends(r)]);
    const seen = { netns: [] as string[], docker: [] as string[] };
    const tried: string[] = [];
    const same = () => seen.docker.some((d) => seen.netns.includes(d));
    for (let i = 0; i < 3 && !same(); i++) {
      for (const [label, b] of [['netns', netns], ['docker', docker]] as const) {
        // Tied to the test: one that times out takes its lab down instead of leaving it in the way.
        const r = await runInTest(ctx, scenario, b).catch((err: Error) => err);
        if (ctx.signal.aborted) throw r;
        if (r instanceof Error) {
          tried.push(`${label}: error ${r.message}`);
          continue;
        }
        if (r.passed) seen[label].push(shows(r));
        tried.push(`${label}: ${r.passed ? shows(r) : `failed ${explainRun(r)}`}`);
      }
    }
    if (tried.length > 2) console.log(`${name}: runs until parity:\n  ${tried.join('\n  ')}`);
    expect(same(), tried.join('\n')).toBe(true);
  });
});
