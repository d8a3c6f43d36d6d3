/**
 * What this machine has for the lab, one check per line: privileges, tools (with the Debian
 * package that provides them), kernel features tried for real in a throwaway network namespace.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { checkUserNamespaces } from '../backends/netns/userns.js';
import { newId } from '../util/ids.js';
import { runCommand } from '../util/run-command.js';
import { projectPath } from '../util/paths.js';
import { dynamicImport } from '../util/dynamic-import.js';

export interface Check {
  name: string;
  ok: boolean;
  /** What was found, or what to do. */
  detail: string;
  /** Without it the netns backend cannot run at all (the rest enables some features). */
  required: boolean;
}

export function which(program: string, path = process.env.PATH ?? ''): string | null {
  for (const dir of [...path.split(delimiter), '/usr/sbin', '/sbin']) {
    const file = join(dir, program);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return null;
}

const TOOLS: { program: string; pkg: string; required: boolean; for: string }[] = [
  { program: 'ip', pkg: 'iproute2', required: true, for: 'namespaces, links, addresses' },
  { program: 'nft', pkg: 'nftables', required: true, for: 'the NAT rulesets' },
  { program: 'turnserver', pkg: 'coturn', required: true, for: 'the TURN/STUN server' },
  { program: 'turnutils_natdiscovery', pkg: 'coturn', required: false, for: 'verify-nat' },
  { program: 'mosquitto', pkg: 'mosquitto', required: false, for: 'signaling: mqtt (the MQTT broker)' },
  { program: 'tc', pkg: 'iproute2', required: false, for: 'link impairments (netem, tbf)' },
  { program: 'tcpdump', pkg: 'tcpdump', required: false, for: '--capture' },
  { program: 'unshare', pkg: 'util-linux', required: false, for: 'running without root' },
];

export function nodeCheck(version = process.versions.node): Check {
  const major = Number(version.split('.')[0]);
  return { name: 'node', ok: major >= 20, required: true, detail: major >= 20 ? `v${version}` : `v${version}: the lab needs Node 20 or newer (https://nodejs.org, or Debian's nodejs from bookworm-backports)` };
}

export function toolChecks(find: (p: string) => string | null = which): Check[] {
  return TOOLS.map((t) => {
    const at = find(t.program);
    return { name: t.program, ok: at !== null, required: t.required, detail: at ? `${at} (${t.for})` : `not found: apt-get install ${t.pkg} (${t.for})` };
  });
}

export function chromiumCheck(): Check {
  const file = process.env.LAB_CHROMIUM ?? '/usr/bin/chromium';
  const ok = existsSync(file);
  return { name: 'chromium', ok, required: false, detail: ok ? `${file} (Chromium viewers)` : `not at ${file}: apt-get install chromium, or set LAB_CHROMIUM (only for chromium-viewer peers)` };
}

const KVS_SDK = 'amazon-kinesis-video-streams-webrtc';

/** The KVS SDK is an optional peer dependency: only `signaling: kvs` needs it (docs/protocols.md). */
export function kvsSdkCheck(resolve: (id: string) => string = createRequire(import.meta.url).resolve): Check {
  try {
    return { name: 'kvs sdk', ok: true, required: false, detail: `${resolve(KVS_SDK)} (signaling: kvs)` };
  } catch {
    return { name: 'kvs sdk', ok: false, required: false, detail: `not installed: npm install ${KVS_SDK}@2.9.0 next to the lab (only for signaling: kvs)` };
  }
}

export function firefoxCheck(): Check {
  const file = process.env.LAB_FIREFOX ?? '/usr/bin/firefox-esr';
  const ok = existsSync(file);
  return { name: 'firefox', ok, required: false, detail: ok ? `${file} (Firefox viewers)` : `not at ${file}: apt-get install firefox-esr, or set LAB_FIREFOX (only for firefox-viewer peers)` };
}

/** libwebrtc (@roamhq/wrtc) ships its binary in an optional npm dependency: a platform without one has no libwebrtc peers. */
export function libwebrtcCheck(): Check {
  try {
    createRequire(import.meta.url).resolve('@roamhq/wrtc');
    return { name: 'libwebrtc', ok: true, required: false, detail: '@roamhq/wrtc (libwebrtc camera and viewer)' };
  } catch {
    return { name: 'libwebrtc', ok: false, required: false, detail: '@roamhq/wrtc is not installed: npm install (only for libwebrtc-viewer peers and `stack: libwebrtc` cameras)' };
  }
}

export async function privilegeCheck(): Promise<Check> {
  if (process.getuid?.() === 0) return { name: 'privileges', ok: true, required: true, detail: 'root' };
  try {
    await checkUserNamespaces();
    return { name: 'privileges', ok: true, required: true, detail: 'not root; unprivileged user namespaces work (the CLI re-runs itself in one)' };
  } catch (err) {
    return { name: 'privileges', ok: false, required: true, detail: `not root, and ${(err as Error).message.replace(/^the netns backend needs CAP_NET_ADMIN, and /, '')}: run as root (sudo -E), or sysctl kernel.unprivileged_userns_clone=1` };
  }
}

export async function dockerCheck(): Promise<Check> {
  const where = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  try {
    const { default: Docker } = await dynamicImport<{ default: typeof import('dockerode') }>('dockerode');
    const docker = process.env.DOCKER_HOST ? new Docker() : new Docker({ socketPath: '/var/run/docker.sock' });
    await Promise.race([docker.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 3 s')), 3000).unref())]);
    return { name: 'docker', ok: true, required: false, detail: `daemon answers at ${where} (--backend docker)` };
  } catch (err) {
    return { name: 'docker', ok: false, required: false, detail: `no daemon at ${where} (${(err as Error).message.split('\n')[0]}): apt-get install docker.io, start it; only for --backend docker` };
  }
}

/**
 * Kernel features tried in a network namespace made for the purpose and removed after: a dummy
 * link with netem and tbf, and an nf_tables NAT chain. As root a named one (ip netns), else an
 * anonymous one in a user namespace (unshare).
 */
const KERNEL_CHECKS = ['netem', 'tbf', 'NFQUEUE', 'nf_tables NAT'];

export async function kernelChecks(): Promise<Check[]> {
  const root = process.getuid?.() === 0;
  if (!which('ip') || (!root && !which('unshare'))) {
    return KERNEL_CHECKS.map((name) => ({ name, ok: false, required: name === 'nf_tables NAT', detail: 'not checked: needs ip (iproute2)' + (root ? '' : ' and unshare (util-linux)') }));
  }
  const ns = `wrl-${newId()}-doctor`;
  const inNs = (script: string, input?: string) => {
    const enter = root ? ['ip', 'netns', 'exec', ns] : ['unshare', '--user', '--map-root-user', '--net'];
    return runCommand([...enter, 'sh', '-c', script], { check: false, timeoutMs: 10_000, input });
  };
  if (root) {
    const made = await runCommand(['ip', 'netns', 'add', ns], { check: false });
    if (made.code !== 0) return KERNEL_CHECKS.map((name) => ({ name, ok: false, required: name === 'nf_tables NAT', detail: `cannot create a network namespace: ${made.stderr.trim()}` }));
  }
  try {
    // A veth pair, as the lab's own links (some kernels lack the dummy driver).
    const link = (name: string) => `ip link add ${name}0 type veth peer name ${name}1 && ip link set ${name}0 up && ip link set ${name}1 up`;
    const netem = await inNs(`${link('n')} && tc qdisc add dev n0 root netem delay 10ms loss 1%`);
    const tbf = await inNs(`${link('t')} && tc qdisc add dev t0 root tbf rate 1mbit burst 32kbit latency 400ms`);
    // The impairments' path without netem: an iptables NFQUEUE rule and nfq-impair bound to its queue.
    const helper = projectPath('dist', 'nfq-impair');
    const nfqueue = await inNs(`iptables -t raw -A PREROUTING -i q0 -j NFQUEUE --queue-num 7 && if [ -x ${helper} ]; then ${helper} --queue 7 & p=$!; sleep 0.5; kill $p; wait $p; fi`);
    const helperBuilt = existsSync(helper);
    const nat = await inNs('nft -f -', 'table ip doctor {\n  chain post {\n    type nat hook postrouting priority 100;\n    masquerade\n  }\n}\n');
    const failed = (r: { stderr: string; stdout: string }) => (r.stderr || r.stdout).trim().split('\n')[0];
    return [
      { name: 'netem', ok: netem.code === 0, required: false, detail: netem.code === 0 ? 'sch_netem works (link impairments use it)' : `failed: ${failed(netem)}: link impairments use nfq-impair (NFQUEUE) instead; for netem install the kernel's extra modules (linux-modules-extra-$(uname -r) on Ubuntu)` },
      nfqueueCheck(nfqueue, helperBuilt, helper, failed),
      { name: 'tbf', ok: tbf.code === 0, required: false, detail: tbf.code === 0 ? 'sch_tbf works (bandwidth limits)' : `failed: ${failed(tbf)}: the kernel lacks sch_tbf` },
      { name: 'nf_tables NAT', ok: nat.code === 0, required: true, detail: nat.code === 0 ? 'a masquerade chain loads' : `failed: ${failed(nat)}: needs nftables and a kernel with nf_tables NAT (nft_nat, nft_masq)` },
    ];
  } finally {
    if (root) await runCommand(['ip', 'netns', 'del', ns], { check: false });
  }
}

function nfqueueCheck(r: { code: number | null; stdout: string; stderr: string }, built: boolean, helper: string, failed: (r: { stderr: string; stdout: string }) => string): Check {
  const name = 'NFQUEUE';
  if (r.code !== 0 && !r.stdout.includes('ready')) return { name, ok: false, required: false, detail: `failed: ${failed(r)}: link impairments without netem need iptables (nft backend) with -j NFQUEUE` };
  if (!built) return { name, ok: false, required: false, detail: `iptables -j NFQUEUE works, but ${helper} is not built: install gcc and run npm run build (link impairments without netem)` };
  const bound = r.stdout.includes('ready');
  return { name, ok: bound, required: false, detail: bound ? 'iptables -j NFQUEUE works and nfq-impair binds its queue (link impairments without netem)' : `nfq-impair could not bind a queue: ${failed(r)}` };
}

export async function runChecks(): Promise<Check[]> {
  const [privileges, kernel, docker] = await Promise.all([privilegeCheck(), kernelChecks(), dockerCheck()]);
  return [nodeCheck(), privileges, ...toolChecks(), ...kernel, chromiumCheck(), firefoxCheck(), libwebrtcCheck(), kvsSdkCheck(), docker];
}

/** The netns backend can run when every required check passed. */
export function netnsCanRun(checks: Check[]): boolean {
  return checks.every((c) => c.ok || !c.required);
}

export function formatChecks(checks: Check[]): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  return checks.map((c) => `${(c.ok ? 'ok' : c.required ? 'MISSING' : 'missing').padEnd(8)} ${c.name.padEnd(width)}  ${c.detail}`).join('\n');
}
