/** Which werift the peers run: the lab's runtime patches to werift refuse any version they were not read against. */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';

/** The version bin/build.mjs found when it bundled werift (undefined when running from source). */
declare const __LAB_WERIFT_VERSION__: string | undefined;

export function installedWeriftVersion(): string {
  if (typeof __LAB_WERIFT_VERSION__ === 'string') return __LAB_WERIFT_VERSION__;
  // From source (tests, tsx): werift's exports hide its package.json; walk up from its entry point.
  let dir = dirname(createRequire(import.meta.url).resolve('werift'));
  while (!existsSync(join(dir, 'package.json')) || JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name !== 'werift') {
    const up = dirname(dir);
    if (up === dir) throw new Error('peers/lib/werift-version.ts: cannot find werift\'s package.json above its entry point');
    dir = up;
  }
  return String(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version);
}
