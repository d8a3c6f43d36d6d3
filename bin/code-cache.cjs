// A V8 code cache for the lab's CommonJS bundles (dist/**/*.cjs), for Node 20, which has no
// module.enableCompileCache (Node 22.1+). Preloaded (`node --require bin/code-cache.cjs dist/x.cjs`)
// or required before the bundle, it compiles each bundle with the bytecode V8 made on an earlier
// run: a werift peer then starts with about a third less CPU (docs/benchmarks.md). The cache lives in dist/.v8-cache/,
// keyed by the bundle's path, size and mtime and the Node version (V8 itself rejects a cache made
// with other flags, and it is then remade); where dist/ is not writable, or is inside node_modules,
// the bundles simply compile as usual.
'use strict';
const { createHash } = require('node:crypto');
const { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { basename, dirname, join, sep } = require('node:path');
const vm = require('node:vm');

const dist = join(__dirname, '..', 'dist') + sep;
const cacheDir = join(dist, '.v8-cache');
// An installed copy (a dependency in node_modules) is not ours to write: it compiles as usual.
const writable = !dist.split(sep).includes('node_modules');

function cacheFile(filename) {
  const st = statSync(filename);
  const key = createHash('sha1').update([filename, st.size, st.mtimeMs, process.version, process.arch].join('\0')).digest('hex').slice(0, 16);
  return join(cacheDir, `${basename(filename)}.${key}`);
}

function readCache(file) {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

function writeCache(file, script) {
  try {
    mkdirSync(cacheDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, file); // atomic: peers starting at once never read half a cache
    // Caches of this bundle's earlier builds are dead weight.
    const prefix = `${basename(file).replace(/\.[0-9a-f]{16}(\.early)?$/, '')}.`;
    const key = basename(file).replace(/\.early$/, '');
    for (const f of readdirSync(cacheDir)) if (f.startsWith(prefix) && f !== key && f !== `${key}.early` && !f.endsWith('.tmp')) rmSync(join(cacheDir, f), { force: true });
  } catch {
    // read-only install or full disk: run without a cache
  }
}

// Code compiled from a cache cannot import() on Node 20 (a vm.Script gets a module loader only under
// --experimental-vm-modules, and V8 drops the main context's once the code comes from cachedData):
// the bundles call this one instead (lab/util/dynamic-import.ts), compiled by Node as usual.
// Bare names and absolute file URLs resolve from bin/ as they would from dist/.
globalThis[Symbol.for('webrtc-lab.import')] = (specifier) => import(specifier);

const compile = Module.prototype._compile;
Module.prototype._compile = function (content, filename) {
  if (!filename.startsWith(dist) || !filename.endsWith('.cjs')) return compile.call(this, content, filename);
  const file = cacheFile(filename);
  // The full cache is made when a process exits, so it holds every function the run compiled (a
  // werift peer's ICE, DTLS and SRTP code too, not only its top level; docs/benchmarks.md, "Matrix,
  // cheaper cells"). The early one, made once the top level has run, serves until a process of
  // this bundle exits with 0 (one killed by a signal never gets to write it).
  const full = readCache(file);
  const early = full ? undefined : readCache(`${file}.early`);
  const script = new vm.Script(Module.wrap(content), {
    filename,
    cachedData: full ?? early,
  });
  const fn = script.runInThisContext({ displayErrors: true });
  const require = Module.createRequire(filename);
  const write = writable && (!full || script.cachedDataRejected);
  // Registered before the top level runs: a bundle may exit from there. Only a run that succeeded
  // (exit code 0) is taken as representative: one that stopped at its settings compiled little.
  if (write)
    process.once('exit', (code) => {
      if (code !== 0) return;
      writeCache(file, script);
      rmSync(`${file}.early`, { force: true });
    });
  const result = fn.call(this.exports, this.exports, require, this, filename, dirname(filename));
  if (write && (!early || script.cachedDataRejected)) setImmediate(() => writeCache(`${file}.early`, script)).unref?.();
  return result;
};
