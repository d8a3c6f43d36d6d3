/** For unit tests of the werift patches: a real coturn on 127.0.0.1 (TURN over UDP and TCP, long-term credentials). */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

export const HOST = '127.0.0.1';
export const USER = { username: 'lab', password: 'labpassword' };

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, HOST, r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** coturn relaying on loopback, its files in `dir`; `allowLoopbackPeers` lets it relay to peers on this machine. */
export async function startLoopbackCoturn(dir: string, opts: { allowLoopbackPeers?: boolean } = {}): Promise<{ port: number; proc: ChildProcess }> {
  const port = await freePort();
  const proc = spawn('turnserver', [
    '-n', '--no-cli', '--log-file=stdout', '--simple-log', `--pidfile=${join(dir, 'pid')}`, `--userdb=${join(dir, 'db')}`,
    '--realm=lab', `--listening-port=${port}`, `--listening-ip=${HOST}`, `--relay-ip=${HOST}`, '--no-multicast-peers',
    ...(opts.allowLoopbackPeers ? ['--allow-loopback-peers'] : []),
    '--lt-cred-mech', `--user=${USER.username}:${USER.password}`, '--fingerprint', '--no-tls', '--no-dtls',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`turnserver not ready in 10 s:\n${out}`)), 10_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d;
      if (/Total General servers/.test(out)) (clearTimeout(timer), resolve());
    });
    proc.on('exit', (code) => (clearTimeout(timer), reject(new Error(`turnserver exited ${code}:\n${out}`))));
  });
  return { port, proc };
}

/** One coturn for a test file: started before its tests, stopped (and its folder removed) after. Returns its port, once started. */
export function useLoopbackCoturn(prefix: string, opts: { allowLoopbackPeers?: boolean } = {}): () => number {
  let dir = '';
  let coturn: { port: number; proc: ChildProcess } | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    coturn = await startLoopbackCoturn(dir, opts);
  }, 15_000);
  afterAll(() => {
    coturn?.proc.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    if (!coturn) throw new Error('coturn is not started yet: call the port inside a test');
    return coturn.port;
  };
}
