/** For unit tests of the werift patches: a real coturn on 127.0.0.1 (TURN over UDP and TCP, long-term credentials). */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

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
