// The user's own services, lab DNS and the lab CA (issue 11): a tiny https + wss service of its
// own (test/fixtures/own-services/app.mjs) under mapped names, reached from a peer host by
// getaddrinfo, the resolver, curl, openssl, Node and Chromium with the lab's trust and no
// --ignore-certificate-errors; unmapped names fail at once; bad services fail clearly, leaving nothing.
//
//   a -- nata(full-cone) --+-- internet 203.0.113.0/24 --+-- srv  .2 turn/stun .3 signaling  53/udp lab DNS
//   b -- natb(full-cone) --+                             +-- srv  .254 the scenario's "app" (443)
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StartedLab } from '../../lab/backends/backend.js';
import { LabError } from '../../lab/model/errors.js';
import { loadScenario, scenarioFromData, type Scenario } from '../../lab/model/scenario.js';
import { projectPath } from '../../lab/util/paths.js';
import { labNamespaces, runInTest } from './helpers.js';
import { CHROMIUM } from './chromium.js';

const FIXTURES = projectPath('test', 'fixtures', 'own-services');
const APP = '203.0.113.254';

/** Mounts over /etc/resolv.conf or /etc/hosts that this (the machine's) mount namespace sees. */
const etcMounts = () => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => / \/etc\/(resolv\.conf|hosts) /.test(l));

const run = (lab: StartedLab, argv: string[], env: Record<string, string> = {}) => lab.exec('a', argv, { check: false, env: { ...process.env, ...env }, timeoutMs: 30_000 });

describe('own services, lab DNS and the lab CA', () => {
  it('a host resolves lab and mapped names, fails unmapped ones at once, and trusts the lab CA for https, wss and turns', async (ctx) => {
    const seen: Record<string, unknown> = {};
    const mountsBefore = etcMounts();
    const resolvBefore = readFileSync('/etc/resolv.conf', 'utf8');
    const scenario = loadScenario(join(FIXTURES, 'own-services.yaml'));
    const r = await runInTest(ctx, scenario, undefined, {
      afterServices: async ({ lab, env }) => {
        seen.mountsDuring = etcMounts();
        seen.resolvDuring = readFileSync('/etc/resolv.conf', 'utf8');
        const getent = await run(lab, ['getent', 'ahostsv4', 'signal.example.com', 'kinesisvideo.us-west-2.amazonaws.com', 'relay.example.net', 'fixed.example.org', 'turn.lab.test', 'app.lab.test']);
        seen.getent = getent.stdout;
        for (const name of ['signal.example.com', 'kinesisvideo.us-west-2.amazonaws.com', 'relay.example.net', 'fixed.example.org', 'turn.lab.test', 'stun.lab.test', 'signaling.lab.test', 'app.lab.test']) {
          seen[`hosts ${name}`] = (await run(lab, ['getent', 'hosts', name])).stdout.trim().split(/\s+/)[0];
        }
        seen.unmapped = (await run(lab, ['getent', 'hosts', 'www.example.com'])).code;
        seen.probe = JSON.parse((await run(lab, [process.execPath, join(FIXTURES, 'probe.mjs'), 'signal.example.com', 'nothing.example.com'], env)).stdout);
        seen.curl = await run(lab, ['curl', '-sS', '--max-time', '5', 'https://kinesisvideo.us-west-2.amazonaws.com/'], env);
        // Without the lab's CA the same request must fail: the CA is what makes it work.
        seen.curlNoCa = (await run(lab, ['curl', '-sS', '--max-time', '5', '--cacert', '/etc/ssl/certs/ca-certificates.crt', 'https://signal.example.com/'])).code;
        seen.turns = await run(lab, ['openssl', 's_client', '-connect', 'turn.lab.test:5349', '-servername', 'turn.lab.test', '-verify_hostname', 'turn.lab.test', '-verify_return_error', '-CAfile', env.LAB_CA_FILE], { ...env });
        seen.staticUser = await run(lab, ['timeout', '10', 'turnutils_uclient', '-y', '-n', '1', '-u', 'app', '-w', 's3cret', 'turn.lab.test']);
        seen.wrongPassword = await run(lab, ['timeout', '10', 'turnutils_uclient', '-y', '-n', '1', '-u', 'app', '-w', 'wrong', 'turn.lab.test']);
        if (existsSync(CHROMIUM)) {
          const chromium = (trust: '0' | '1') => run(lab, [process.execPath, join(FIXTURES, 'chromium-load.mjs'), 'https://signal.example.com/', 'https://nothing.example.com/'], { ...env, TRUST: trust, LAB_CHROMIUM: CHROMIUM });
          seen.chromium = (await chromium('1')).stdout.trim().split('\n').map((l) => JSON.parse(l));
          seen.chromiumNoTrust = (await chromium('0')).stdout.trim().split('\n').map((l) => JSON.parse(l));
          if (process.env.OWN_DEBUG) seen.asyncDns = (await run(lab, [process.execPath, join(FIXTURES, 'chromium-load.mjs'), 'https://signal.example.com/', 'https://nothing.example.com/'], { ...env, ASYNC_DNS: '1', LAB_CHROMIUM: CHROMIUM })).stdout;
        }
      },
    });
    if (process.env.OWN_DEBUG) console.log(JSON.stringify(seen, null, 1));
    expect(r.sessions[0].failure).toBeNull();
    expect(r.passed).toBe(true); // the lab's own peers relayed with the lab's static TURN user
    expect(r.outcome).toBe('relay');
    for (const name of ['signal.example.com', 'kinesisvideo.us-west-2.amazonaws.com', 'app.lab.test']) expect(seen[`hosts ${name}`]).toBe(APP);
    expect(seen['hosts relay.example.net']).toBe('203.0.113.2');
    expect(seen['hosts turn.lab.test']).toBe('203.0.113.2');
    expect(seen['hosts stun.lab.test']).toBe('203.0.113.2');
    expect(seen['hosts signaling.lab.test']).toBe('203.0.113.3');
    expect(seen['hosts fixed.example.org']).toBe('198.51.100.7');
    expect(seen.unmapped).toBe(2); // getent: key not found
    const probe = seen.probe as Record<string, { ok: boolean; value?: unknown; code?: string; ms: number }>;
    expect(probe.lookup.value).toEqual({ address: APP, family: 4 });
    expect(probe.resolve4.value).toEqual([APP]); // asked the lab's resolver itself (c-ares), not the hosts file
    expect(probe.lookupUnmapped).toMatchObject({ ok: false, code: 'ENOTFOUND' });
    expect(probe.resolveUnmapped).toMatchObject({ ok: false, code: 'ENOTFOUND' });
    expect(probe.lookupUnmapped.ms).toBeLessThan(100);
    expect(probe.resolveUnmapped.ms).toBeLessThan(100);
    expect(probe.https).toMatchObject({ ok: true, value: { status: 200 } });
    expect((probe.https.value as { body: string }).body).toContain('<title>hello from the lab</title>');
    expect(probe.wss).toMatchObject({ ok: true, value: 'echo ping' });
    const curl = seen.curl as { code: number; stdout: string; stderr: string };
    expect(curl.stderr).toBe('');
    expect(curl.stdout).toContain('served by app');
    expect(seen.curlNoCa).toBe(60); // curl: peer certificate cannot be authenticated
    const turns = seen.turns as { stdout: string };
    expect(turns.stdout).toContain('Verify return code: 0 (ok)');
    // The allocation is what the credentials decide (the echo over it may be late on a busy machine).
    const uclient = (k: string) => { const o = seen[k] as { stdout: string; stderr: string }; return o.stdout + o.stderr; };
    expect(uclient('staticUser')).toMatch(/Total connect time/);
    expect(uclient('staticUser')).not.toMatch(/Cannot complete Allocation|Cannot find credentials/);
    expect(uclient('wrongPassword')).toMatch(/Cannot complete Allocation/);
    if (existsSync(CHROMIUM)) {
      const [page, unmapped] = seen.chromium as { status?: number; title?: string; error?: string; ms: number }[];
      expect(page).toMatchObject({ status: 200, title: 'hello from the lab' });
      expect(unmapped.error).toMatch(/ERR_NAME_NOT_RESOLVED/);
      const [untrusted] = seen.chromiumNoTrust as { error?: string }[];
      expect(untrusted.error).toMatch(/ERR_CERT_AUTHORITY_INVALID/);
    }
    // The lab's files covered /etc only inside the lab's processes: the machine never saw them.
    expect(seen.mountsDuring).toEqual(mountsBefore);
    expect(seen.resolvDuring).toBe(resolvBefore);
    expect(readFileSync('/etc/resolv.conf', 'utf8')).toBe(resolvBefore);
    expect(labNamespaces(r.labId!)).toEqual([]);
  });
});

/** A scenario in the fixtures folder with cheap peers (sleep) and the given services. */
function withServices(services: Record<string, unknown>, extra: Record<string, unknown> = {}): Scenario {
  return scenarioFromData(
    {
      topology: 'full-cone',
      services,
      peers: { cam: { kind: 'command', role: 'camera', command: ['sleep', '60'], host: 'b' }, viewer: { kind: 'command', role: 'viewer', command: ['sleep', '60'], host: 'a' } },
      ...extra,
    },
    join(FIXTURES, 'bad.yaml'),
  );
}

async function failure(ctx: Parameters<typeof runInTest>[0], scenario: Scenario): Promise<{ err: LabError; labId: string | null; ms: number }> {
  let labId: string | null = null;
  const t0 = performance.now();
  const err = await runInTest(ctx, scenario, undefined, { onProgress: (l) => (labId ??= /lab ([0-9a-f]+):/.exec(l)?.[1] ?? null) }).then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof LabError)) throw new Error(`expected a LabError, got ${String(err)}`);
  return { err, labId, ms: performance.now() - t0 };
}

describe.concurrent('bad services', () => {
  it('a service that exits early: an error naming it, its exit code and last output', async (ctx) => {
    const { err, labId } = await failure(ctx, withServices({ crash: { command: ['node', '-e', "console.error('EADDRINUSE: port taken'); process.exit(3)"], ready: { log: 'listening' } } }));
    expect(err.code).toBe('command-failed');
    expect(err.message).toMatch(/services\.crash exited \(code 3\) before it was ready \(waiting for a line matching \/listening\/\)/);
    expect(err.message).toContain('EADDRINUSE: port taken');
    expect(labNamespaces(labId!)).toEqual([]);
  });

  it('ready by http (by address and by lab name over https) and by log line', async (ctx) => {
    // Both ready: the run goes on to the peers (sleep), which the lab ends at its timeout.
    const r = await runInTest(ctx, withServices({
      web: { command: ['node', '-e', "require('node:http').createServer((q, s) => s.end(q.url === '/health' ? 'ok' : 'no')).listen(8080, () => console.log('up'))"], port: 8080, ready: { http: '/health' } },
      logger: { command: ['sh', '-c', 'echo starting; sleep 0.2; echo "ready to serve"; exec sleep 60'], ready: { log: '^ready' } },
      // https by name: the probe resolves with the lab DNS and trusts the lab CA.
      tls: { command: ['node', 'app.mjs'], port: 8443, ready: { http: 'https://tls.lab.test:8443/health' } },
    }, { timeoutMs: 1000 }));
    expect(r.overhead.servicesReadyMs).toBeGreaterThan(0);
    expect(r.logs?.userServices?.logger).toEqual(['starting', 'ready to serve']);
    expect(labNamespaces(r.labId!)).toEqual([]);
  });

  it('a command that is not found: an error naming the field, before anything is built', async (ctx) => {
    const { err, labId } = await failure(ctx, withServices({ gone: { command: ['no-such-program-xyz'], port: 9000 } }));
    expect(err.code).toBe('not-found');
    expect(err.message).toMatch(/bad\.yaml: services\.gone\.command\[0\]: program "no-such-program-xyz" is not found on PATH/);
    expect(labId).toBeNull();
    const rel = await failure(ctx, withServices({ gone: { command: ['./missing.sh'], port: 9000 } }));
    expect(rel.err.message).toContain(`services.gone.command[0]: "./missing.sh" is not an executable file (looked at ${join(FIXTURES, 'missing.sh')})`);
  });

  it('a dns name mapped to an unknown service, a reserved port, no readiness: schema errors naming the field', () => {
    const load = () => withServices({ app: { command: ['node', 'app.mjs'], port: 3478 }, quiet: { command: ['node', 'app.mjs'] } }, { dns: { 'signal.example.com': 'nosuch', 'x.lab.test': 'app' } });
    expect(load).toThrow(LabError);
    let err: LabError | null = null;
    try {
      load();
    } catch (e) {
      err = e as LabError;
    }
    expect(err!.code).toBe('invalid-file');
    expect(err!.message).toContain('bad.yaml: dns.signal.example.com: unknown target "nosuch": give a service of this scenario (app, quiet)');
    expect(err!.message).toContain("bad.yaml: dns.x.lab.test: names under lab.test are the lab's own");
    expect(err!.message).toContain("bad.yaml: services.app.port: port 3478 is coturn STUN/TURN's on the services host");
    expect(err!.message).toContain('bad.yaml: services.quiet: say how the lab knows it is ready');
  });
});
