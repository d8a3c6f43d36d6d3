/**
 * The image every lab container runs. Offline (default): a FROM-scratch image whose root file
 * system is this machine's own node, iproute2, nftables, coturn and tcpdump with the shared
 * libraries they load (found with ldd), so no registry is needed. Registry: docker/Dockerfile on
 * node:20-bookworm-slim. Either way the tag carries a hash of its inputs: built once, rebuilt only
 * when an input changes.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type Dockerode from 'dockerode';
import { LabError } from '../../model/errors.js';
import { projectPath } from '../../util/paths.js';
import { runCommand } from '../../util/run-command.js';
import { stateRoot } from '../state.js';

export type ImageSource = 'offline' | 'registry';
export const IMAGE_REPO = 'webrtc-lab-node';
/** Programs the containers run; each must be installed on this machine for the offline image. */
// env: scenario commands run as `env -C <their folder> ...` (model/scenario.ts). iptables and tc:
// link impairments (network/impair): iptables -j NFQUEUE feeds nfq-impair, tc probes for netem.
const PROGRAMS = [process.execPath, 'ip', 'nft', 'turnserver', 'turnutils_natdiscovery', 'tcpdump', 'sh', 'sleep', 'cat', 'env', 'iptables', 'tc'];
const OPTIONAL = new Set(['tcpdump', 'iptables', 'tc']);
/**
 * iptables (nft backend) loads its match and target extensions with dlopen, so ldd never names
 * them: the ones the impairment rules use (network/impair/plan.ts queueRules), where installed.
 */
const XTABLES_DIRS = ['/usr/lib/x86_64-linux-gnu/xtables', '/usr/lib/aarch64-linux-gnu/xtables', '/usr/lib/xtables', '/usr/lib64/xtables'];
const XTABLES_PLUGINS = ['libxt_standard.so', 'libxt_NFQUEUE.so', 'libxt_mark.so'];

function xtablesPlugins(): string[] {
  const dir = XTABLES_DIRS.find((d) => existsSync(join(d, XTABLES_PLUGINS[0])));
  return dir ? XTABLES_PLUGINS.map((p) => join(dir, p)).filter((p) => existsSync(p)) : [];
}
const EXTRA_PATHS = ['/etc/iproute2'];
/**
 * Native Node modules peers load from the project folder (bind-mounted read-only into every
 * container): not copied, but the shared libraries they load must be in the image. libwebrtc
 * (@roamhq/wrtc) needs libc, libm and libgcc_s today; ldd keeps that true when it changes.
 */
const NATIVE_MODULES = ['node_modules/@roamhq/wrtc-linux-x64/wrtc.node'];

function which(program: string): string | null {
  if (program.startsWith('/')) return existsSync(program) ? program : null;
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin'])) {
    const path = join(dir, program);
    if (dir && existsSync(path)) return path;
  }
  return null;
}

/** Every file the offline image needs: the programs and, through ldd, the libraries they load. */
export async function offlineRootfsFiles(): Promise<string[]> {
  const programs = PROGRAMS.map((p) => ({ program: p, path: which(p) }));
  const missing = programs.filter((p) => !p.path && !OPTIONAL.has(p.program)).map((p) => p.program);
  if (missing.length) {
    throw new LabError('missing-tool', `the offline Docker image is made from this machine's programs, and ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not installed`, 'run scripts/setup.sh (iproute2, nftables, coturn), or set WEBRTC_LAB_DOCKER_IMAGE_SOURCE=registry where a registry is reachable');
  }
  // ldd costs a process per program: remember its answer for as long as the programs are unchanged.
  const found = [...programs.filter((p) => p.path).map((p) => p.path!), ...(programs.some((p) => p.program === 'iptables' && p.path) ? xtablesPlugins() : [])];
  const native = NATIVE_MODULES.map((m) => projectPath(m)).filter((m) => existsSync(m));
  const key = [...found, ...native].map((f) => `${f} ${statSync(f).size} ${Math.round(statSync(f).mtimeMs)}`).join('\n');
  const cacheFile = join(stateRoot(), 'image-files.json');
  try {
    const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as { key: string; files: string[] };
    if (cached.key === key && cached.files.every((f) => existsSync(f))) return cached.files;
  } catch {
    // no cache yet
  }
  const files = new Set<string>(found);
  for (const path of [...found, ...native]) {
    const ldd = await runCommand(['ldd', path], { check: false });
    for (const m of ldd.stdout.matchAll(/(?:=>\s*)?(\/[^\s]+)\s+\(0x/g)) files.add(m[1]);
  }
  const list = [...files].sort();
  mkdirSync(stateRoot(), { recursive: true });
  writeFileSync(cacheFile, JSON.stringify({ key, files: list }));
  return list;
}

function hashInputs(parts: string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 12);
}

export async function imageTag(source: ImageSource): Promise<{ tag: string; files: string[] }> {
  if (source === 'registry') {
    const dockerfile = readFileSync(projectPath('docker', 'Dockerfile'), 'utf8');
    return { tag: `${IMAGE_REPO}:registry-${hashInputs([dockerfile])}`, files: [] };
  }
  const files = await offlineRootfsFiles();
  const dockerfile = readFileSync(projectPath('docker', 'Dockerfile.offline'), 'utf8');
  const fingerprint = files.map((f) => {
    const st = statSync(f);
    return `${f} ${st.size} ${Math.round(st.mtimeMs)}`;
  });
  return { tag: `${IMAGE_REPO}:offline-${hashInputs([dockerfile, JSON.stringify(ETC_FILES), ...fingerprint])}`, files };
}

async function exists(docker: Dockerode, tag: string): Promise<boolean> {
  try {
    await docker.getImage(tag).inspect();
    return true;
  } catch {
    return false;
  }
}

/** The image tag to run, building it first if this exact set of inputs was never built. */
export async function ensureImage(docker: Dockerode, source: ImageSource, onStep: (s: string) => void = () => {}): Promise<string> {
  const { tag, files } = await imageTag(source);
  if (await exists(docker, tag)) return tag;
  const work = join(stateRoot(), 'image-build');
  const context = join(work, tag.replace(/[:/]/g, '_'));
  const tarFile = `${context}.tar`;
  rmSync(context, { recursive: true, force: true });
  mkdirSync(context, { recursive: true });
  try {
    if (source === 'offline') {
      onStep(`building Docker image ${tag} from ${files.length} local files (no registry needed; once per change)`);
      assembleRootfs(join(context, 'rootfs'), files);
      copyFileSync(projectPath('docker', 'Dockerfile.offline'), join(context, 'Dockerfile'));
    } else {
      onStep(`building Docker image ${tag} from docker/Dockerfile (pulls node:20-bookworm-slim)`);
      copyFileSync(projectPath('docker', 'Dockerfile'), join(context, 'Dockerfile'));
    }
    await runCommand(['tar', '-C', context, '-cf', tarFile, '.'], { purpose: 'pack the Docker build context' });
    const stream = await docker.buildImage(tarFile, { t: tag, labels: { 'webrtc-lab': '1' } });
    const output = await new Promise<{ error?: string }[]>((resolve, reject) => docker.modem.followProgress(stream, (err, res) => (err ? reject(err) : resolve(res))));
    const failure = output.find((o) => o.error);
    if (failure) throw new LabError('backend', `docker build of ${tag} failed: ${failure.error}`);
    return tag;
  } finally {
    rmSync(context, { recursive: true, force: true });
    rmSync(tarFile, { force: true });
  }
}

/** /bin, /sbin, /lib and /lib64 are links into /usr in the image (as on Debian 12). */
const underUsr = (path: string) => path.replace(/^\/(bin|sbin|lib|lib64)\//, '/usr/$1/');

/** A merged-/usr root file system holding exactly these files (and what they need to start). */
function assembleRootfs(root: string, files: string[]): void {
  for (const dir of ['usr/bin', 'usr/sbin', 'usr/lib', 'usr/lib64', 'etc', 'tmp', 'run', 'var/tmp', 'proc', 'sys', 'dev']) mkdirSync(join(root, dir), { recursive: true });
  for (const [link, target] of [['bin', 'usr/bin'], ['sbin', 'usr/sbin'], ['lib', 'usr/lib'], ['lib64', 'usr/lib64']]) symlinkSync(target, join(root, link));
  for (const file of files) {
    // The real file once, under its /usr path; the name it was found by links to it.
    const real = underUsr(realpathSync(file));
    const target = join(root, real);
    mkdirSync(dirname(target), { recursive: true });
    if (!existsSync(target)) copyFileSync(realpathSync(file), target);
    const wanted = join(root, underUsr(file));
    if (wanted !== target && !existsSync(wanted)) {
      mkdirSync(dirname(wanted), { recursive: true });
      symlinkSync(real, wanted);
    }
  }
  for (const extra of EXTRA_PATHS) if (existsSync(extra)) cpSync(extra, join(root, extra), { recursive: true });
  for (const [file, text] of Object.entries(ETC_FILES)) writeFileSync(join(root, 'etc', file), text);
}

/**
 * The image's own /etc (part of its tag's hash). hosts then dns: a lab run mounts its hosts file
 * and resolv.conf (the lab DNS) over the image's; glibc 2.34+ resolves by DNS without libnss_dns.
 */
const ETC_FILES: Record<string, string> = {
  passwd: 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n',
  group: 'root:x:0:\nnogroup:x:65534:\n',
  'nsswitch.conf': 'passwd: files\ngroup: files\nhosts: files dns\n',
  hosts: '127.0.0.1 localhost\n',
};
