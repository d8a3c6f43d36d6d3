// Bundles the lab, its services and its peers with esbuild. Bundles start several times faster
// than loose modules (werift alone costs ~380 ms to import unbundled), which matters for peers.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
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

/**
 * Parts of the peers that only some runs use, built as their own CommonJS bundles and required when
 * first used: the MQTT client and the KVS client with the AWS signer are 1.3 MB of a 3.3 MB werift
 * peer, and a peer that loads 2 MB starts ~20 ms sooner (docs/benchmarks.md). name -> source, and
 * the one module that imports it (with `await import()`, which stays as it is for the sources).
 */
export const LAZY_BUNDLES = {
  'peers/lib/kvs-signaling': { source: 'peers/lib/kvs-signaling.ts', importer: 'peers/lib/peer-signaling.ts' },
  'peers/lib/mqtt-signaling': { source: 'peers/lib/mqtt-signaling.ts', importer: 'peers/lib/peer-signaling.ts' },
};

/** In every bundle, an import of a lazy bundle's source from its importer becomes a require() of dist/<name>.cjs. */
const lazyBundles = {
  name: 'lazy-bundles',
  setup(build) {
    const byImport = new Map(Object.entries(LAZY_BUNDLES).map(([name, l]) => [`${join(root, l.importer)}\0./${l.source.split('/').pop().replace(/\.ts$/, '.js')}`, name]));
    build.onResolve({ filter: /-signaling\.js$/ }, (args) => {
      const name = byImport.get(`${args.importer}\0${args.path}`);
      return name ? { path: name, namespace: 'lazy-bundle' } : undefined;
    });
    build.onLoad({ filter: /.*/, namespace: 'lazy-bundle' }, (args) => ({
      resolveDir: root,
      loader: 'js',
      contents: `const { projectPath } = require('./lab/util/paths.ts');\nmodule.exports = require(projectPath('dist', ${JSON.stringify(`${args.path}.cjs`)}));\n`,
    }));
  },
};

/**
 * zod's 40-odd locales (0.37 MB of the CLI's and of the services' 1.5 and 0.9 MB bundles) come with
 * its `z` namespace, which bundlers cannot split; the lab uses its default English messages only
 * (set by zod itself from locales/en.js), never `z.locales`: that namespace is built empty.
 */
const zodWithoutLocales = {
  name: 'zod-without-locales',
  setup(build) {
    build.onResolve({ filter: /\/locales\/index\.js$/ }, (args) => (/[\\/]zod[\\/]v4[\\/]/.test(args.importer) ? { path: 'zod-locales', namespace: 'zod-without-locales' } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'zod-without-locales' }, () => ({ contents: 'export {};\n', loader: 'js' }));
  },
};

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

/** Files outside node_modules whose change means a rebuild: every bundle's project inputs (esbuild's metafile), and these. */
const ALWAYS_INPUTS = ['package-lock.json', 'bin/build.mjs', 'bin/werift-version.mjs', ...Object.values(NATIVE_HELPERS)];

/**
 * dist/.inputs: the bundles' project inputs, the newest mtime among them once built, and when the build started.
 * Checking only those (~230 files, not every file under lab/, peers/ and bench/) is as strict: a
 * file no input imports cannot change a bundle, and importing one edits an input.
 */
function readStamp() {
  try {
    const { files, newest, startedAt } = JSON.parse(readFileSync(stamp, 'utf8'));
    return Array.isArray(files) && typeof newest === 'number' && typeof startedAt === 'number' ? { files, newest, startedAt } : null;
  } catch {
    return null;
  }
}

function newestOf(files) {
  let newest = 0;
  for (const f of files) newest = Math.max(newest, statSync(join(root, f)).mtimeMs); // a file gone: throws, and so rebuilds
  return newest;
}

function upToDate() {
  const recorded = readStamp();
  if (!recorded) return false;
  try {
    // A file saved while the build ran is newer than its start: the next run builds again.
    return newestOf(recorded.files) === recorded.newest && recorded.newest <= recorded.startedAt;
  } catch {
    return false;
  }
}

/** The project files (relative to the root) that the builds read, from their metafiles. */
function projectInputs(results) {
  const files = new Set(ALWAYS_INPUTS.filter((f) => existsSync(join(root, f))));
  for (const r of results)
    for (const input of Object.keys(r.metafile.inputs)) {
      const abs = resolve(root, input);
      // esbuild names inputs relative to its working folder; plugin namespaces ("lazy-bundle:...") are no files.
      if (input.includes(':') || abs.split(sep).includes('node_modules') || !abs.startsWith(root + sep)) continue;
      files.add(relative(root, abs));
    }
  return [...files].sort();
}

function isInstalled() {
  return root.split(/[\\/]/).includes('node_modules');
}

export async function ensureBuilt({ force = false } = {}) {
  // A copy without sources (a packaged lab) runs the bundles it came with, and so does an installed
  // one even when it carries sources (a git or file: dependency): node_modules is not ours to write.
  if (!force && (!existsSync(join(root, 'lab')) || isInstalled())) return dist;
  if (!force && upToDate()) return dist;
  try {
    accessSync(existsSync(dist) ? dist : root, constants.W_OK);
  } catch {
    console.error(`error: the bundles in ${dist} are out of date and this user cannot rebuild them\n  hint: run \`npm run build\` as the owner of the checkout`);
    process.exit(1);
  }
  const startedAt = Date.now();
  const esbuild = await import('esbuild');
  const builds = [];
  const weriftDefine = { __LAB_WERIFT_VERSION__: JSON.stringify(findWeriftVersion()) };
  builds.push(await esbuild.build({
    metafile: true,
    absWorkingDir: root,
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
    plugins: [lazyBundles, zodWithoutLocales],
    // Bundled CommonJS dependencies still call require().
    banner: { js: "import { createRequire as __labRequire } from 'node:module'; const require = __labRequire(import.meta.url);" },
  }));
  builds.push(await esbuild.build({
    metafile: true,
    absWorkingDir: root,
    entryPoints: { ...Object.fromEntries(CACHED_ENTRY_POINTS.map((name) => [name, join(root, ENTRY_POINTS[name])])), ...Object.fromEntries(Object.entries(LAZY_BUNDLES).map(([name, l]) => [name, join(root, l.source)])) },
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
    plugins: [lazyBundles, zodWithoutLocales],
    banner: { js: "const __labImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  }));
  for (const name of [...CACHED_ENTRY_POINTS, ...Object.keys(LAZY_BUNDLES)]) checkNoDynamicImport(join(dist, `${name}.cjs`));
  builds.push(await esbuild.build({
    metafile: true,
    absWorkingDir: root,
    entryPoints: Object.fromEntries(Object.entries(BROWSER_ENTRY_POINTS).map(([name, file]) => [name, join(root, file)])),
    outdir: dist,
    bundle: true,
    platform: 'browser',
    target: 'chrome110',
    format: 'iife',
    logLevel: 'warning',
  }));
  buildNative();
  const files = projectInputs(builds);
  writeFileSync(stamp, JSON.stringify({ newest: newestOf(files), startedAt, files }) + '\n');
  return dist;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await ensureBuilt({ force: true });
  console.log(`built ${Object.keys(ENTRY_POINTS).join(', ')} into ${dist}`);
}
