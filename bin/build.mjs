// Bundles the lab, its services and its peers with esbuild. Bundles start several times faster
// than loose modules (werift alone costs ~380 ms to import unbundled), which matters for peers.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findWeriftVersion } from './werift-version.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const stamp = join(dist, '.inputs');

export const ENTRY_POINTS = {
  cli: 'lab/cli.ts',
  // The public API (package.json "exports"); its types come from tsc (tsconfig.build.json).
  index: 'lab/index.ts',
  'udp-punch': 'lab/tools/udp-punch.ts',
  'net-probe': 'lab/tools/net-probe.ts',
  bench: 'bench/bench.ts',
  // The bare reference's peer (bench/bare-reference.mjs), bundled as a careful hand-made script would be.
  'bench/bare-peer': 'bench/bare-peer.mjs',
  services: 'lab/services/services-main.ts',
  kvs: 'lab/services/kvs/kvs-main.ts',
  reaper: 'lab/run/reaper-main.ts',
  'peers/viewer': 'peers/viewer.ts',
  'peers/pi-camera': 'peers/pi-camera.ts',
  'peers/libwebrtc-camera': 'peers/libwebrtc-camera.ts',
  'peers/libwebrtc-viewer': 'peers/libwebrtc-viewer.ts',
  'peers/firefox-viewer': 'peers/firefox-viewer.ts',
  'peers/chromium-viewer': 'peers/chromium-viewer.ts',
  'peers/ndc-viewer': 'peers/ndc-viewer.ts',
  'peers/browser-app': 'peers/browser-app.ts',
};

/** C helpers (gcc, no libraries): source -> dist/<name>. */
export const NATIVE_HELPERS = { 'nfq-impair': 'lab/network/impair/nfq-impair.c' };

/** Compiles the C helpers; a machine without gcc gets a warning (the lab says what is missing when it needs one). */
function buildNative() {
  for (const [name, file] of Object.entries(NATIVE_HELPERS)) {
    const r = spawnSync('gcc', ['-O2', '-Wall', '-o', join(dist, name), join(root, file)], { encoding: 'utf8' });
    if (r.error || r.status !== 0) console.error(`warning: could not compile ${file} (${r.error?.message ?? r.stderr.trim()}): link impairments without netem need it; install gcc (scripts/setup.sh) and run npm run build`);
  }
}

/**
 * Entry points also built as CommonJS (dist/<name>.cjs), loaded through bin/code-cache.cjs: a V8
 * code cache halves the load of a 2.9 MB peer bundle on Node 20 (which has no compile cache for
 * ES modules). The CLI, its services and its peers start on every run.
 */
export const CACHED_ENTRY_POINTS = ['cli', 'services', 'peers/viewer', 'peers/pi-camera'];

/** Code that runs in a browser page (served by the lab's services). */
export const BROWSER_ENTRY_POINTS = {
  'peers/chromium-viewer-page': 'peers/chromium/viewer-page.ts',
  // signaling: kvs only (the AWS SDK bundled for the browser, ~0.45 MB): the viewer page loads it then.
  'peers/chromium-kvs-page': 'peers/chromium/kvs-page.ts',
};

/** Modules too heavy or native to bundle (esbuild finds its binary from its own path), or optional (the KVS SDK: an optional peer dependency); loaded only where needed. */
const EXTERNAL = ['amazon-kinesis-video-streams-webrtc', 'playwright-core', 'dockerode', 'testcontainers', 'cpu-features', 'ssh2', 'node-datachannel', 'esbuild', '@roamhq/wrtc', 'puppeteer-core'];

/**
 * The CommonJS bundles run from a V8 code cache, where import() throws on Node 20: every run-time
 * import goes through lab/util/dynamic-import.ts. A plain import() call left in one (a new
 * `await import('pkg')`, or a dependency's) fails the build here rather than a run later.
 */
export function dynamicImportsIn(code) {
  const found = [];
  // Not a method (`x.import(`), a name (`reimport(`) or a mention in quotes or backticks.
  const re = /(?<![.\w$`'"])import\s*\(/g;
  for (let m; (m = re.exec(code)); ) {
    const end = code.indexOf('\n', m.index);
    const line = code.slice(code.lastIndexOf('\n', m.index) + 1, end === -1 ? code.length : end);
    if (/^\s*(\/\/|\*|\/\*)/.test(line)) continue; // a comment
    if (/^\s*import\s*\([\w\s,]*\)\s*\{/.test(line)) continue; // a method named import (x509's PemData)
    if (/\bnativeImport = /.test(line)) continue; // lab/util/dynamic-import.ts's fallback, unused under the hook
    found.push(line.trim().slice(0, 120));
  }
  return found;
}

function checkNoDynamicImport(file) {
  const found = dynamicImportsIn(readFileSync(file, 'utf8'));
  if (found.length) throw new Error(`${file}: import() in a bundle that runs from the V8 code cache (it throws there on Node 20): use dynamicImport() from lab/util/dynamic-import.ts instead, at:\n  ${found.join('\n  ')}`);
}

function newestInput() {
  let newest = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (/\.(ts|mjs|js|json|html|css|c)$/.test(entry.name)) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of ['lab', 'peers', 'bench']) if (existsSync(join(root, d))) walk(join(root, d));
  for (const f of ['package-lock.json', 'bin/build.mjs']) if (existsSync(join(root, f))) newest = Math.max(newest, statSync(join(root, f)).mtimeMs);
  return String(newest);
}

function isInstalled() {
  return root.split(/[\\/]/).includes('node_modules');
}

export async function ensureBuilt({ force = false } = {}) {
  // A copy without sources (a packaged lab) runs the bundles it came with, and so does an installed
  // one even when it carries sources (a git or file: dependency): node_modules is not ours to write.
  if (!force && (!existsSync(join(root, 'lab')) || isInstalled())) return dist;
  const inputs = newestInput();
  if (!force && existsSync(stamp) && readFileSync(stamp, 'utf8') === inputs) return dist;
  try {
    accessSync(existsSync(dist) ? dist : root, constants.W_OK);
  } catch {
    console.error(`error: the bundles in ${dist} are out of date and this user cannot rebuild them\n  hint: run \`npm run build\` as the owner of the checkout`);
    process.exit(1);
  }
  const esbuild = await import('esbuild');
  const weriftDefine = { __LAB_WERIFT_VERSION__: JSON.stringify(findWeriftVersion()) };
  await esbuild.build({
    entryPoints: Object.fromEntries(Object.entries(ENTRY_POINTS).map(([name, file]) => [name, join(root, file)])),
    outdir: dist,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    sourcemap: 'linked',
    external: EXTERNAL,
    logLevel: 'warning',
    define: weriftDefine,
    // Bundled CommonJS dependencies still call require().
    banner: { js: "import { createRequire as __labRequire } from 'node:module'; const require = __labRequire(import.meta.url);" },
  });
  await esbuild.build({
    entryPoints: Object.fromEntries(CACHED_ENTRY_POINTS.map((name) => [name, join(root, ENTRY_POINTS[name])])),
    outdir: dist,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'linked',
    external: EXTERNAL,
    logLevel: 'warning',
    // lab/util/paths.ts finds the project root from import.meta.url.
    define: { 'import.meta.url': '__labImportMetaUrl', ...weriftDefine },
    banner: { js: "const __labImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  });
  for (const name of CACHED_ENTRY_POINTS) checkNoDynamicImport(join(dist, `${name}.cjs`));
  await esbuild.build({
    entryPoints: Object.fromEntries(Object.entries(BROWSER_ENTRY_POINTS).map(([name, file]) => [name, join(root, file)])),
    outdir: dist,
    bundle: true,
    platform: 'browser',
    target: 'chrome110',
    format: 'iife',
    logLevel: 'warning',
  });
  buildNative();
  writeFileSync(stamp, inputs);
  return dist;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await ensureBuilt({ force: true });
  console.log(`built ${Object.keys(ENTRY_POINTS).join(', ')} into ${dist}`);
}
