// Bad input for the user's own app (issue 11), the way a user meets it: `run <file>` through the CLI.
// A file that fails validation exits 2; every other bad input exits 1; each error names the
// scenario field; and nothing is left behind (no namespace, no state or scratch folder: each run
// has a state folder of its own, which must be empty afterwards).
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { projectPath } from '../../lab/util/paths.js';
import { cli, type CliResult } from './cli.js';
import { labNamespaces } from './helpers.js';
import { CHROMIUM } from './chromium.js';

const CLI_APP = projectPath('examples', 'cli-app');
const BROWSER_APP = projectPath('examples', 'browser-app');
const dir = mkdtempSync(join(tmpdir(), 'bad-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An example's scenario, changed, written to the temporary folder (its services by absolute path). */
function variant(example: string, name: string, change: (spec: Record<string, any>) => void): string {
  const spec = parse(readFileSync(join(example, 'full-cone.yaml'), 'utf8'));
  for (const s of Object.values(spec.services as Record<string, { command: string[] }>)) s.command = s.command.map((a) => (a.endsWith('.mjs') ? join(example, a) : a));
  change(spec);
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, stringify(spec));
  return file;
}

/** Runs the file; afterwards its lab (if one was built) has no namespace left and its state folder is empty. */
async function runBad(file: string): Promise<CliResult & { out: string }> {
  const state = join(dir, `state-${Math.random().toString(16).slice(2)}`);
  const r = await cli(['run', file], { WEBRTC_LAB_STATE_DIR: state });
  const out = r.stdout + r.stderr;
  const labId = /lab ([0-9a-f]{6})/.exec(out)?.[1];
  if (labId) expect(labNamespaces(labId)).toEqual([]);
  expect(existsSync(state) ? readdirSync(state) : []).toEqual([]);
  return { ...r, out };
}

describe.concurrent('bad input: a clear error naming the field, exit 1 (2 for a schema error), nothing left behind', () => {
  it('a DNS name mapped to an unknown service: a schema error, exit 2, nothing built', async () => {
    const file = variant(CLI_APP, 'unknown-target', (s) => (s.dns = { 'signal.example.com': 'nosuch' }));
    const r = await runBad(file);
    expect(r.code).toBe(2);
    expect(r.out).toContain('unknown-target.yaml: dns.signal.example.com: unknown target "nosuch": give a service of this scenario (signal)');
    expect(r.out).not.toMatch(/building/);
  });

  it('a service that never becomes ready: exit 1 naming services.<name>, with its last output', async () => {
    const file = variant(CLI_APP, 'never-ready', (s) => (s.services.signal = { command: ['sh', '-c', 'echo booting; exec sleep 60'], port: 9999, readyTimeoutMs: 1500 }));
    const r = await runBad(file);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/never-ready\.yaml: services\.signal was not ready within 1500 ms \(waiting for TCP port 9999 on 203\.0\.113\.254 to accept connections\)/);
    expect(r.out).toContain('booting');
  });

  it('a peer command that is not found: exit 1 naming peers.<name>.command[0], before anything is built', async () => {
    const file = variant(CLI_APP, 'no-command', (s) => (s.peers.caller.command = ['no-such-app-xyz', '--role', 'caller']));
    const r = await runBad(file);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/no-command\.yaml: peers\.caller\.command\[0\]: program "no-such-app-xyz" is not found on PATH/);
    expect(r.out).not.toMatch(/building/);
  });

  it.skipIf(!existsSync(CHROMIUM))('a URL that does not load: exit 1 naming peers.<name>.url', async () => {
    // The callee's page waits for a caller that never comes: a short timeoutMs ends it.
    const file = variant(BROWSER_APP, 'bad-url', (s) => {
      s.timeoutMs = 12_000;
      s.peers.caller.url = 'https://nothing.example.com/';
    });
    const r = await runBad(file);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/bad-url\.yaml: peers\.caller\.url: https:\/\/nothing\.example\.com\/ did not load: .*ERR_NAME_NOT_RESOLVED/);
  });

  it.skipIf(!existsSync(CHROMIUM))('a page that never creates a peer connection: exit 1 naming peers.<name>', async () => {
    const file = variant(BROWSER_APP, 'no-pc', (s) => {
      s.timeoutMs = 6000;
      s.peers.caller.url = 'https://chat.example.com:8443/config.json';
      delete s.peers.caller.actions;
    });
    const r = await runBad(file);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/no-pc\.yaml: peers\.caller: the page at https:\/\/chat\.example\.com:8443\/config\.json made no RTCPeerConnection within 6000 ms/);
  });
});
