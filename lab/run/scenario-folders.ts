/**
 * The machine's folders a scenario's processes read, for a backend whose hosts have a file system
 * of their own (Docker mounts them at the same paths: UpOptions.folders).
 */
import { existsSync, lstatSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Scenario } from '../model/scenario.js';

type Fs = { exists: (p: string) => boolean; isLink: (p: string) => boolean; realpath: (p: string) => string };
const NODE_FS: Fs = { exists: existsSync, isLink: (p) => lstatSync(p).isSymbolicLink(), realpath: realpathSync };

/**
 * The scenario's folder, each service's and app peer's, the project each is in (the nearest folder
 * above with a package.json: its node_modules), and the target of a node_modules that is a link.
 */
export function scenarioFolders(scenario: Pick<Scenario, 'source' | 'services' | 'camera' | 'viewers'>, fs: Fs = NODE_FS): string[] {
  const dirs = new Set<string>([dirname(resolve(scenario.source)), ...(scenario.services ?? []).map((s) => s.cwd), ...[scenario.camera, ...scenario.viewers].flatMap((p) => (p.app ? [p.app.cwd] : []))]);
  for (const d of [...dirs]) {
    for (let up = d; ; up = dirname(up)) {
      if (fs.exists(join(up, 'package.json'))) {
        dirs.add(up);
        break;
      }
      if (dirname(up) === up) break;
    }
  }
  for (const d of [...dirs]) {
    const modules = join(d, 'node_modules');
    if (fs.exists(modules) && fs.isLink(modules)) dirs.add(fs.realpath(modules));
  }
  return [...dirs].filter((d) => fs.exists(d));
}
