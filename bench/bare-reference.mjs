#!/usr/bin/env node
// The bare reference of `npm run bench -- ratio`: what `webrtc-lab run port-restricted-cone` does,
// made by hand with no lab code. Six namespaces with `ip` (an "internet" bridge, a services host,
// two routers that masquerade with nft: port-restricted cone, two hosts behind them), coturn on the
// services host, two werift processes (bench/bare-peer.mjs) that signal through this process over
// their stdin/stdout, then teardown. The lab internet is 203.0.113.0/24 (documentation range) and
// has no link to the host's namespace, so nothing routes out. Everything is removed on success,
// on error and on SIGINT/SIGTERM. Prints one JSON line; exit 0 when the offerer got media.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const t0 = performance.now();
const ms = () => Math.round(performance.now() - t0);
const id = `wrb${process.pid.toString(36)}`;
const NS = Object.fromEntries(['inet', 'svc', 'nata', 'natb', 'a', 'b'].map((n) => [n, `${id}-${n}`]));
const TURN = { ip: '203.0.113.2', relay: '203.0.113.3', port: 3478, user: 'bare', pass: `p${process.pid}` };
// The peer bundled (bin/build.mjs puts it in dist/bench/): werift loads in a third of the time.
const bundled = join(here, '..', 'dist', 'bench', 'bare-peer.mjs');
const PEER = existsSync(bundled) ? bundled : join(here, 'bare-peer.mjs');
const state = mkdtempSync(join(tmpdir(), `${id}-`));
const children = new Set();
let created = false;

function routerRules() {
  return `table ip bare {
  chain postrouting { type nat hook postrouting priority srcnat; oifname "wan" masquerade; }
  chain forward { type filter hook forward priority filter; policy drop; ct state established,related accept; iifname "lan" accept; }
  chain input { type filter hook input priority filter; policy accept; iifname "wan" ct state new,invalid drop; }
}
`;
}

function networkScript() {
  const lines = ['set -e'];
  lines.push(...Object.values(NS).map((n) => `ip netns add ${n}`));
  lines.push(...Object.values(NS).map((n) => `ip -n ${n} link set lo up`));
  lines.push(`ip -n ${NS.inet} link add br0 type bridge`, `ip -n ${NS.inet} link set br0 up`);
  const wan = { svc: [`${TURN.ip}/24`, `${TURN.relay}/24`], nata: ['203.0.113.10/24'], natb: ['203.0.113.20/24'] };
  for (const [node, addrs] of Object.entries(wan)) {
    lines.push(`ip -n ${NS.inet} link add ${node} type veth peer name wan netns ${NS[node]}`, `ip -n ${NS.inet} link set ${node} master br0 up`);
    lines.push(...addrs.map((a) => `ip -n ${NS[node]} addr add ${a} dev wan`), `ip -n ${NS[node]} link set wan up`);
  }
  for (const [router, host, net] of [['nata', 'a', 1], ['natb', 'b', 2]]) {
    lines.push(`ip -n ${NS[router]} link add lan type veth peer name eth0 netns ${NS[host]}`);
    lines.push(`ip -n ${NS[router]} addr add 192.168.${net}.1/24 dev lan`, `ip -n ${NS[router]} link set lan up`);
    lines.push(`ip -n ${NS[host]} addr add 192.168.${net}.2/24 dev eth0`, `ip -n ${NS[host]} link set eth0 up`, `ip -n ${NS[host]} route add default via 192.168.${net}.1`);
    lines.push(`ip netns exec ${NS[router]} sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward && nft -f -' <<'NFT'\n${routerRules()}NFT`);
  }
  return lines.join('\n');
}

function start(ns, argv, env = {}) {
  const child = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  children.add(child);
  child.on('exit', () => children.delete(child));
  child.stderr.on('data', (d) => (child.stderrTail = ((child.stderrTail ?? '') + d).slice(-2000)));
  return child;
}

const lineEvents = (child, fn) => createInterface({ input: child.stdout }).on('line', fn);

function waitFor(child, test, what, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: nothing within ${timeoutMs} ms`)), timeoutMs);
    lineEvents(child, (line) => test(line) && (clearTimeout(timer), resolve()));
    child.on('exit', (code) => reject(new Error(`${what}: exited with code ${code}\n${child.stderrTail ?? ''}`)));
  });
}

async function teardown() {
  const exits = [...children].map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode ? r() : (c.once('exit', r), c.kill('SIGTERM'), setTimeout(() => c.kill('SIGKILL'), 1000).unref()))));
  await Promise.all(exits);
  if (created) spawnSync('ip', ['-force', '-batch', '-'], { input: Object.values(NS).map((n) => `netns del ${n}`).join('\n') + '\n', stdio: ['pipe', 'ignore', 'ignore'] });
  rmSync(state, { recursive: true, force: true });
}

async function run() {
  created = true;
  const net = spawnSync('bash', ['-c', networkScript()], { encoding: 'utf8' });
  if (net.status !== 0) throw new Error(`network: ${net.stderr}`);
  const networkMs = ms();
  const coturn = start(NS.svc, ['turnserver', '-n', '--no-cli', '--log-file=stdout', '--simple-log', `--pidfile=${join(state, 'turnserver.pid')}`, `--userdb=${join(state, 'turndb')}`, '--realm=bare', `--listening-port=${TURN.port}`, `--listening-ip=${TURN.ip}`, `--relay-ip=${TURN.relay}`, '--no-multicast-peers', '--lt-cred-mech', `--user=${TURN.user}:${TURN.pass}`, '--fingerprint', '--no-tls', '--no-dtls']);
  const env = { BARE_TURN: `${TURN.ip}:${TURN.port}`, BARE_USER: TURN.user, BARE_PASS: TURN.pass };
  const offerer = start(NS.a, [process.execPath, PEER, 'offer'], env);
  const answerer = start(NS.b, [process.execPath, PEER, 'answer'], env);
  const done = new Promise((resolve, reject) => {
    const relay = (from, to) =>
      lineEvents(from, (line) => {
        const msg = JSON.parse(line);
        if (msg.type === 'done') resolve(msg);
        else if (msg.type === 'error') reject(new Error(`peer: ${msg.message}`));
        else to.stdin.write(line + '\n');
      });
    relay(offerer, answerer);
    relay(answerer, offerer);
    for (const p of [offerer, answerer]) p.on('exit', (code) => code !== 0 && reject(new Error(`a peer exited with code ${code}\n${p.stderrTail ?? ''}`)));
  });
  done.catch(() => {});
  await waitFor(coturn, (l) => /Total General servers/.test(l), 'turnserver', 10_000);
  const turnMs = ms();
  offerer.stdin.write(JSON.stringify({ type: 'start' }) + '\n');
  const result = await done;
  return { networkMs, turnReadyMs: turnMs, mediaMs: ms(), offerer: result.marks, pair: result.pair };
}

for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => teardown().finally(() => process.exit(130)));
let out;
try {
  out = { ok: true, ...(await run()) };
} catch (err) {
  out = { ok: false, error: err.message };
}
await teardown();
console.log(JSON.stringify({ ...out, wallMs: ms() }));
process.exitCode = out.ok ? 0 : 1;
