import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root: the nearest folder above this module (source or bundle) holding package.json. */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = resolve(dir, '..');
    if (up === dir) throw new Error('cannot find the project root (no package.json above this module)');
    dir = up;
  }
  return dir;
}

export const projectRoot = findRoot();

export function projectPath(...parts: string[]): string {
  return join(projectRoot, ...parts);
}

/** A bundle built by bin/build.mjs (dist/<name>.mjs): services and peers run from these. */
export function bundlePath(name: string): string {
  return projectPath('dist', `${name}.mjs`);
}

/**
 * The argv that runs a bundle in a new Node process: its CommonJS build through the V8 code cache
 * (bin/code-cache.cjs, bin/build.mjs CACHED_ENTRY_POINTS) where there is one, else the ES module
 * (also with WEBRTC_LAB_CODE_CACHE=off).
 */
export function nodeBundleArgv(name: string): string[] {
  const cjs = projectPath('dist', `${name}.cjs`);
  const hook = projectPath('bin', 'code-cache.cjs');
  return process.env.WEBRTC_LAB_CODE_CACHE !== 'off' && existsSync(cjs) && existsSync(hook) ? [process.execPath, '--require', hook, cjs] : [process.execPath, bundlePath(name)];
}
