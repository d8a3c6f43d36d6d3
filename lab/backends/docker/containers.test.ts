import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../util/paths.js';
import { stateRoot } from '../state.js';
import { labBinds } from './containers.js';

describe('docker binds', () => {
  it("the lab's folder and the given ones read-only (a folder inside one mounted is not mounted twice), state writable, the lab's /etc files over the container's", () => {
    const binds = labBinds({ folders: [`${projectRoot}/examples/cli-app`, '/elsewhere/app', '/elsewhere/app/sub'], hostFiles: { resolvConf: '/run/x/etc/resolv.conf', hosts: '/run/x/etc/hosts' } });
    expect(binds).toEqual([
      `${projectRoot}:${projectRoot}:ro`,
      '/elsewhere/app:/elsewhere/app:ro',
      `${stateRoot()}:${stateRoot()}`,
      '/run/x/etc/resolv.conf:/etc/resolv.conf:ro',
      '/run/x/etc/hosts:/etc/hosts:ro',
    ]);
  });

  it('without options: as before (lab folder and state)', () => {
    expect(labBinds()).toEqual([`${projectRoot}:${projectRoot}:ro`, `${stateRoot()}:${stateRoot()}`]);
  });
});
