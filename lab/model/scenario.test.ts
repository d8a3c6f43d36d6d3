import { describe, expect, it } from 'vitest';
import { LabError } from './errors.js';
import { listScenarios, loadScenario, scenarioFromData } from './scenario.js';

describe('scenario files', () => {
  it('ships the scenarios the product promises, all loadable', () => {
    const names = listScenarios();
    for (const s of ['open-internet', 'full-cone', 'restricted-cone', 'port-restricted-cone', 'symmetric-nat', 'symmetric-vs-full-cone', 'firewalled', 'cgnat', 'same-nat-hairpin', 'relay-forced', 'multi-viewer']) {
      expect(names).toContain(s);
    }
    for (const n of names) expect(loadScenario(n).name).toBe(n);
  });

  it('resolves the topology, the camera, the viewers and ICE settings with per-peer overrides', () => {
    const s = loadScenario('multi-viewer');
    expect(s.camera).toMatchObject({ name: 'camera', role: 'camera', host: 'cam', profile: 'pi' });
    expect(s.viewers).toHaveLength(10);
    expect(s.viewers.find((v) => v.name === 'v5')!.ice.turnTransports).toEqual(['tls']);
    expect(s.viewers.find((v) => v.name === 'v1')!.ice).toEqual({ policy: 'all', turnTransports: ['udp'], trickle: true });
    expect(loadScenario('relay-forced').viewers[0].ice.policy).toBe('relay');
  });

  it('rejects unknown scenarios with the list of known ones (a usage error)', () => {
    try {
      loadScenario('nope');
      throw new Error('accepted');
    } catch (err) {
      expect((err as LabError).code).toBe('usage');
      expect((err as LabError).message).toMatch(/unknown scenario "nope" \(known: byo-node-datachannel, cgnat, chromium-firewalled/);
    }
  });

  it('checks hosts, the one camera and the viewers against the topology', () => {
    const bad = (data: object) => {
      try {
        scenarioFromData(data, 'scenarios/x.yaml');
      } catch (err) {
        return (err as LabError).message;
      }
      return 'accepted';
    };
    const peers = { camera: { kind: 'pi-camera', host: 'b' }, viewer: { kind: 'viewer', host: 'zz' } };
    expect(bad({ topology: 'full-cone', peers })).toContain('scenarios/x.yaml: peers.viewer.host: topology full-cone has no host "zz" (hosts: a, b)');
    expect(bad({ topology: 'full-cone', peers: { viewer: { kind: 'viewer', host: 'a' } } })).toContain('needs exactly one camera peer');
    expect(bad({ topology: 'nonexistent', peers })).toContain('scenarios/x.yaml: topology: unknown topology "nonexistent"');
    expect(bad({ topology: 'full-cone', peers, expect: { outcome: 'fast' } })).toContain('expect.outcome');
    expect(bad({ topology: 'full-cone', peers, ice: { turnTransports: ['quic'] } })).toContain('ice.turnTransports[0]');
  });
});

describe('scenario files outside the lab', () => {
  it('a scenario by path names its topology by a path relative to itself, and its command peer runs in its folder', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { projectPath } = await import('../util/paths.js');
    const root = mkdtempSync(join(tmpdir(), 'lab-scenario-test-'));
    try {
      mkdirSync(join(root, 'lab', 'net'), { recursive: true });
      writeFileSync(join(root, 'lab', 'net', 'home.yaml'), readFileSync(projectPath('topologies', 'symmetric.yaml'), 'utf8').replace(/^name: .*$/m, 'name: home'));
      writeFileSync(join(root, 'lab', 'my-app.yml'), 'topology: ./net/home.yaml\npeers:\n  camera: { kind: pi-camera, host: b }\n  app: { kind: command, role: viewer, host: a, command: [node, my-peer.mjs] }\n');
      const prev = process.cwd();
      process.chdir(root);
      try {
        const s = loadScenario('./lab/my-app.yml');
        expect(s.name).toBe('my-app');
        expect(s.topology.name).toBe('home');
        expect(s.viewers[0].command).toEqual(['env', '-C', join(root, 'lab'), 'node', 'my-peer.mjs']);
        expect(() => loadScenario('./lab/missing.yaml')).toThrow(/scenario file \.\/lab\/missing\.yaml does not exist/);
      } finally {
        process.chdir(prev);
      }
      // A preset names topologies by preset name, and its command peers run in the lab's folder.
      expect(loadScenario('byo-node-datachannel').viewers[0].command).toEqual(['node', 'dist/peers/ndc-viewer.mjs']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('scenario services, dns and turn users', () => {
  const base = { topology: 'full-cone', peers: { cam: { kind: 'pi-camera', host: 'b' }, viewer: { kind: 'viewer', host: 'a' } } };
  const load = (extra: Record<string, unknown>) => scenarioFromData({ ...base, ...extra }, '/proj/scenarios/app/s.yaml');
  const problems = (extra: Record<string, unknown>): string => {
    try {
      load(extra);
    } catch (err) {
      expect((err as LabError).code).toBe('invalid-file');
      return (err as LabError).message;
    }
    throw new Error('accepted');
  };

  it('defaults: the services host, port readiness, 10 s, run from the scenario\'s folder; env values as strings', () => {
    const s = load({
      services: { sig: { command: ['node', 'sig.mjs'], port: 8080, env: { N: 3, ON: true, URL: 'turn:turn.lab.test:3478' } }, web: { command: ['./web'], host: 'a', ready: { log: 'up' }, readyTimeoutMs: 500 } },
      dns: { 'signal.example.com': 'sig' },
      turn: { users: [{ username: 'app', password: 'secret' }] },
    });
    expect(s.services).toEqual([
      { name: 'sig', command: ['node', 'sig.mjs'], cwd: '/proj/scenarios/app', host: 'srv', port: 8080, ready: { kind: 'port' }, env: { N: '3', ON: 'true', URL: 'turn:turn.lab.test:3478' }, readyTimeoutMs: 10_000 },
      { name: 'web', command: ['./web'], cwd: '/proj/scenarios/app', host: 'a', port: null, ready: { kind: 'log', pattern: 'up' }, env: {}, readyTimeoutMs: 500 },
    ]);
    expect(s.dns).toEqual({ 'signal.example.com': 'sig' });
    expect(s.turn).toEqual({ users: [{ username: 'app', password: 'secret' }] });
    expect(load({}).services).toEqual([]);
    expect(load({}).turn).toEqual({ users: [] });
  });

  it('each problem at its field: host, reserved port, readiness, regex, dns target, turn user', () => {
    const m = problems({
      services: {
        a: { command: ['x'], host: 'nowhere', port: 1 },
        b: { command: ['x'], port: 5349 },
        c: { command: ['x'] },
        d: { command: ['x'], ready: { log: '(' } },
        e: { command: ['x'], ready: { http: '/health' } },
        f: { command: ['x'], ready: { http: 'health' }, port: 1 },
        Bad_Name: { command: ['x'], port: 1 },
        g: { command: [], port: 1 },
      },
      dns: { 'signal.example.com': 'nosuch' },
      turn: { users: [{ username: 'a:b', password: 'p' }] },
    });
    expect(m).toContain('services.Bad_Name: key service names are lowercase letters');
    expect(m).toContain('services.g.command');
    expect(m).toContain('turn.users[0].username: a username has no colon or space');
    // Schema errors first; the semantic checks run on a file whose shape is right.
    const sem = problems({
      services: { a: { command: ['x'], host: 'nowhere', port: 1 }, b: { command: ['x'], port: 5349 }, c: { command: ['x'] }, d: { command: ['x'], ready: { log: '(' } }, e: { command: ['x'], ready: { http: '/health' } }, f: { command: ['x'], ready: { http: 'health' }, port: 1 } },
      dns: { 'signal.example.com': 'nosuch' },
    });
    expect(sem).toContain('s.yaml: services.a.host: topology full-cone has no host "nowhere" (hosts: srv, a, b)');
    expect(sem).toContain("services.b.port: port 5349 is coturn TURN over TLS's on the services host");
    expect(sem).toContain('services.c: say how the lab knows it is ready');
    expect(sem).toContain('services.d.ready.log: not a regular expression');
    expect(sem).toContain("services.e.ready.http: a path needs the service's `port`");
    expect(sem).toContain('services.f.ready.http: give a path');
    expect(sem).toContain('dns.signal.example.com: unknown target "nosuch": give a service of this scenario (a, b, c, d, e, f)');
  });

  it('a service elsewhere may use the lab\'s ports: only the services host has them', () => {
    expect(load({ services: { s: { command: ['x'], host: 'a', port: 3478 } } }).services![0].port).toBe(3478);
  });

});

describe('kind "app" peers', () => {
  const load = (peers: object, more: object = {}) => scenarioFromData({ topology: 'full-cone', peers, ...more }, 'scenarios/x.yaml');
  const message = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      return (err as LabError).message;
    }
    return 'accepted';
  };

  it('the first app peer is the camera (callee) side, every other one a viewer side; done, env and holdMs kept', () => {
    const s = load({ callee: { kind: 'app', host: 'b', command: ['./cam'], holdMs: 500 }, caller: { kind: 'app', host: 'a', command: ['caller'], env: { X: 1 }, done: { log: '^done' } } }, { holdMs: 900 });
    expect(s.camera.name).toBe('callee');
    expect(s.viewers.map((v) => v.name)).toEqual(['caller']);
    expect(s.camera.app).toMatchObject({ command: ['./cam'], holdMs: 500, doneLog: null, env: {} });
    expect(s.viewers[0].app).toMatchObject({ command: ['caller'], holdMs: 900, doneLog: '^done', env: { X: '1' } });
    expect(s.viewers[0].command?.slice(0, 2)).toEqual(['env', '-C']);
    // With a camera of its own, every app peer is a viewer side (or says its role).
    const mixed = load({ cam: { kind: 'pi-camera', host: 'b' }, one: { kind: 'app', host: 'a', command: ['x'] } });
    expect([mixed.camera.name, mixed.viewers[0].name]).toEqual(['cam', 'one']);
    expect(load({ v: { kind: 'viewer', host: 'a' }, c: { kind: 'app', host: 'b', command: ['x'], role: 'camera' } }).camera.name).toBe('c');
  });

  it('rejects an app peer without a command, a bad done regex, and app fields on other kinds, naming the field', () => {
    expect(message(() => load({ c: { kind: 'app', host: 'b' }, v: { kind: 'viewer', host: 'a' } }))).toContain('peers.c: a peer of kind "app" needs `command');
    expect(message(() => load({ c: { kind: 'app', host: 'b', command: ['x'], done: { log: '(' } }, v: { kind: 'app', host: 'a', command: ['y'] } }))).toContain('peers.c.done.log: not a regular expression');
    expect(message(() => load({ c: { kind: 'pi-camera', host: 'b', holdMs: 10 }, v: { kind: 'viewer', host: 'a' } }))).toContain('peers.c.holdMs: only peers of kind "app" or "browser" take holdMs');
    expect(message(() => load({ c: { kind: 'app', host: 'b', command: ['x'], url: 'https://a.example.com/' }, v: { kind: 'browser', host: 'a' } }))).toMatch(/peers\.c\.url: only peers of kind "browser" take url[\s\S]*peers\.v: a peer of kind "browser" needs `url/);
  });
});
