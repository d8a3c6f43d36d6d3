// werift's version, read from its package.json (its package exports hide the file, so walk up from
// its entry point). bin/build.mjs bakes it into the bundles; peers/lib/werift-version.ts reads it
// here when it runs from source. The lab's runtime patches to werift check it.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export function findWeriftVersion() {
  let dir = dirname(createRequire(import.meta.url).resolve('werift'));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      const json = JSON.parse(readFileSync(pkg, 'utf8'));
      if (json.name === 'werift') return String(json.version);
    }
    if (dirname(dir) === dir) throw new Error('cannot find werift\'s package.json above its entry point: run npm ci');
    dir = dirname(dir);
  }
}
