import { existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeScratch, removeScratchFolders } from './scratch.js';

let root = '';
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'lab-scratch-test-'));
  vi.stubEnv('WEBRTC_LAB_STATE_DIR', root);
});
afterAll(() => vi.unstubAllEnvs());

describe('scratch folders', () => {
  it('are named after their lab and owner; clean removes those of dead owners, or of the labs it is given', () => {
    const mine = makeScratch('aaaaaa');
    const dead = join(root, `run-bbbbbb-${2 ** 22 + 1}-x1`);
    const legacy = join(root, 'run-Ab12Cd');
    const other = join(root, 'cccccc');
    for (const d of [dead, legacy, other]) mkdirSync(d);
    expect(mine).toMatch(new RegExp(`/run-aaaaaa-${process.pid}-`));

    expect(removeScratchFolders(['bbbbbb'])).toEqual([`scratch folder run-bbbbbb-${2 ** 22 + 1}-x1`]);
    mkdirSync(dead);
    expect(removeScratchFolders().sort()).toEqual(['scratch folder run-Ab12Cd', `scratch folder run-bbbbbb-${2 ** 22 + 1}-x1`]);
    // A live owner's folder stays unless its lab is named; lab state folders are not scratch.
    expect(existsSync(mine)).toBe(true);
    expect(removeScratchFolders(['aaaaaa'])).toHaveLength(1);
    expect(readdirSync(root)).toEqual(['cccccc']);
  });
});
