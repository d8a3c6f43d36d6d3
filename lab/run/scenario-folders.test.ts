import { describe, expect, it } from 'vitest';
import { scenarioFolders } from './scenario-folders.js';

const files = new Set(['/repo', '/repo/package.json', '/repo/lab', '/repo/lab/cli-app', '/repo/node_modules', '/store/node_modules', '/srv/tools']);
const fs = { exists: (p: string) => files.has(p), isLink: (p: string) => p === '/repo/node_modules', realpath: () => '/store/node_modules' };
const peer = (cwd: string | null) => ({ app: cwd ? { cwd } : undefined }) as never;

describe('scenario folders (what a docker lab mounts)', () => {
  it("the scenario's folder, its services' and apps', their project, and a linked node_modules by its target", () => {
    const s = { source: '/repo/lab/cli-app/symmetric.yaml', services: [{ cwd: '/srv/tools' }] as never, camera: peer('/repo/lab/cli-app'), viewers: [peer(null)] };
    expect(scenarioFolders(s, fs).sort()).toEqual(['/repo', '/repo/lab/cli-app', '/srv/tools', '/store/node_modules']);
  });

  it('a folder with no project above is mounted alone', () => {
    const s = { source: '/srv/tools/x.yaml', services: undefined, camera: peer(null), viewers: [] };
    expect(scenarioFolders(s, fs)).toEqual(['/srv/tools']);
  });
});
