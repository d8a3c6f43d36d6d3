import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findOnPath, requireTool } from './run-command.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-path-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'mytool'), '#!/bin/sh\n');
chmodSync(join(dir, 'mytool'), 0o755);
writeFileSync(join(dir, 'notexec'), '');

describe('findOnPath / requireTool', () => {
  it('finds an executable on PATH, and only an executable file', () => {
    expect(findOnPath('mytool', `/nonexistent:${dir}`)).toBe(join(dir, 'mytool'));
    expect(findOnPath('notexec', dir)).toBeNull();
    expect(findOnPath('nosuchtool-xyz', dir)).toBeNull();
    expect(findOnPath(join(dir, 'mytool'), '')).toBe(join(dir, 'mytool'));
  });

  it('says what is missing, what for, and the package that has it', () => {
    expect(() => requireTool('nosuchtool-xyz', 'test things')).toThrow('nosuchtool-xyz is not installed (needed to test things)');
    expect(() => requireTool('sh', 'run scripts')).not.toThrow();
  });
});
