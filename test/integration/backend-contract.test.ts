// The backend contract: the same checks against every backend in the registry, so a new backend
// passes what netns and docker pass (see docs/backends-and-contract.md). A backend that cannot
// run here (no Docker daemon) is skipped, unless WEBRTC_LAB_REQUIRE_DOCKER=1.
//
//          internet 203.0.113.0/24
//      srv ──────┬──────────┬───────
//              nata        natb      (port-restricted cone NATs)
//           lana │          │ lanb
//                a          b
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabProcess, StartedLab } from '../../lab/backends/backend.js';
import { nodePlan, planNodes } from '../../lab/backends/common/node-plan.js';
import { BACKENDS } from '../../lab/backends/registry.js';
import { loadTopology } from '../../lab/model/topology-file.js';

const topology = loadTopology('port-restricted-cone');

const contenders = await Promise.all(
  BACKENDS.map(async (entry) => {
    const backend = await entry.create();
    const available = await backend.checkAvailable().then(() => true, () => false);
    if (!available && entry.name === 'docker' && process.env.WEBRTC_LAB_REQUIRE_DOCKER === '1') throw new Error('WEBRTC_LAB_REQUIRE_DOCKER=1 but no Docker daemon answers');
    return { entry, backend, available };
  }),
);

/** The first line a process prints, within a deadline. */
function firstLine(proc: LabProcess, what: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no output within ${timeoutMs} ms`)), timeoutMs);
    createInterface({ input: proc.stdout }).once('line', (line) => (clearTimeout(timer), resolve(line.trim())));
  });
}

for (const { entry, backend, available } of contenders) {
  describe.skipIf(!available)(`backend contract: ${entry.name}`, () => {
    let lab: StartedLab;
    const plan = () => planNodes(topology, lab.id);

    beforeAll(async () => {
      lab = await backend.up(topology);
    });
    afterAll(async () => {
      await lab?.down();
    });

    it('declares its name and capabilities as the registry lists them', () => {
      expect(backend.name).toBe(entry.name);
      expect(backend.capabilities).toEqual(entry.capabilities);
      for (const k of ['customImages', 'browsers', 'concurrentLabs', 'callEvents'] as const) expect(typeof backend.capabilities[k]).toBe('boolean');
      expect(backend.capabilities.privileges.length).toBeGreaterThan(0);
    });

    it('up: a lab of this backend and topology, listed as complete', async () => {
      expect(lab.backend).toBe(entry.name);
      expect(lab.topology).toEqual(topology);
      expect(lab.livesWithThisProcess).toBe(false); // root: no user namespace here
      expect((await backend.list()).find((l) => l.id === lab.id)).toEqual({ id: lab.id, backend: entry.name, topology: topology.name, complete: true });
    });

    it('every node has the interfaces, addresses and default route the node plan declares', async () => {
      for (const node of plan().nodes) {
        const addrs = (await lab.exec(node.node, ['ip', '-o', '-4', 'addr', 'show'])).stdout;
        for (const i of node.interfaces) for (const a of i.addresses) expect(addrs, `${node.node} ${i.name}`).toMatch(new RegExp(`^\\d+: ${i.name}(@\\S+)?\\s+inet ${a.replace(/\./g, '\\.')}/${i.prefix} `, 'm'));
        const route = (await lab.exec(node.node, ['ip', 'route', 'show', 'default'])).stdout.trim();
        expect(route, node.node).toMatch(new RegExp(`^default via ${node.defaultRoute.via} dev ${node.defaultRoute.dev}\\b`));
      }
    });

    // (Hosts may forward or not: a new namespace inherits the machine's setting, Docker sets 0.)
    it('routers forward and have the lab\'s NAT table', async () => {
      for (const node of plan().nodes.filter((n) => n.kind === 'router')) {
        expect((await lab.exec(node.node, ['cat', '/proc/sys/net/ipv4/ip_forward'])).stdout.trim(), node.node).toBe('1');
        expect((await lab.exec(node.node, ['nft', 'list', 'table', 'ip', 'lab'])).stdout).toMatch(/^table ip lab \{/);
      }
    });

    it('a host behind a NAT reaches the internet from its router\'s public address (spawned processes, their output read)', async () => {
      const srv = topology.services.addresses[0];
      const echo = lab.spawn('srv', ['node', '-e', "const s=require('dgram').createSocket('udp4');s.on('message',(m,r)=>s.send(r.address+':'+r.port,r.port,r.address));s.bind(4999,()=>console.log('ready'))"]);
      try {
        expect(await firstLine(echo, 'udp echo on srv')).toBe('ready');
        const ask = lab.spawn('a', ['node', '-e', `const s=require('dgram').createSocket('udp4');s.on('message',(m)=>{console.log(String(m));process.exit(0)});s.send('hi',4999,'${srv}');setTimeout(()=>process.exit(3),5000)`]);
        const seen = await firstLine(ask, 'udp probe from a');
        expect(seen.split(':')[0]).toBe(nodePlan(plan(), 'nata').interfaces[0].addresses[0]);
        expect((await ask.exited).code).toBe(0);
      } finally {
        await echo.stop(500);
      }
      expect((await echo.exited).code).not.toBe(0); // stopped by the lab, not exited by itself
    });

    it('a failing command reports its exit code, or throws naming the node and command with check', async () => {
      expect((await lab.exec('a', ['sh', '-c', 'exit 7'], { check: false })).code).toBe(7);
      await expect(lab.exec('a', ['sh', '-c', 'echo nope >&2; exit 1'])).rejects.toThrow(/sh -c echo nope >&2; exit 1: nope/);
      await expect((async () => lab.exec('zz', ['true']))()).rejects.toThrow(`lab ${lab.id} has no host or router "zz"`);
    });

    it('attach finds the lab again (as `exec` from another process does)', async () => {
      const again = await backend.attach(lab.id);
      expect(again.topology).toEqual(topology);
      expect((await again.exec('b', ['ip', '-o', '-4', 'addr', 'show'])).stdout).toContain(`inet ${nodePlan(plan(), 'b').interfaces[0].addresses[0]}/`);
    });

    it('down leaves nothing: not listed, nothing for clean to remove, and a second down is a no-op', async () => {
      const id = lab.id;
      await lab.down();
      expect((await backend.list()).map((l) => l.id)).not.toContain(id);
      expect(await backend.clean([id])).toEqual([]);
      await expect(lab.down()).resolves.toBeUndefined();
    });
  });
}

it('each backend is listed once', () => {
  const names = BACKENDS.map((b) => b.name);
  expect(new Set(names).size).toBe(names.length);
  expect(names).toEqual(expect.arrayContaining(['netns', 'docker']));
});
