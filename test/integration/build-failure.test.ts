// A bring-up that fails half way unwinds everything it built and says what failed where.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabError } from '../../lab/model/errors.js';
import { loadTopology } from '../../lab/model/topology-file.js';
import { backend, labNamespaces } from './helpers.js';

describe('failed bring-up', () => {
  it('unwinds the half-built lab and names the router whose rules failed', async () => {
    // An nft that refuses everything, found first on PATH by the bring-up script.
    const bin = mkdtempSync(join(tmpdir(), 'fake-nft-'));
    writeFileSync(join(bin, 'nft'), '#!/bin/sh\necho "Error: Could not process rule: Operation not supported" >&2\nexit 1\n');
    chmodSync(join(bin, 'nft'), 0o755);
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    let error: unknown;
    try {
      await backend.up(loadTopology('full-cone'), { labId: 'fa11ed' });
    } catch (err) {
      error = err;
    } finally {
      process.env.PATH = path;
    }
    expect(error).toBeInstanceOf(LabError);
    expect((error as LabError).message).toContain('failed to program router nata: Error: Could not process rule: Operation not supported');
    expect((error as LabError).message).toContain('failed to program router natb');
    expect(labNamespaces('fa11ed')).toEqual([]);
  });

  it('refuses a lab id that is in use', async () => {
    const lab = await backend.up(loadTopology('open'), { labId: 'beef01' });
    try {
      await expect(backend.up(loadTopology('open'), { labId: 'beef01' })).rejects.toThrow('namespace wrl-beef01-sw already exists: lab id beef01 is in use');
    } finally {
      await lab.down();
    }
    expect(labNamespaces('beef01')).toEqual([]);
  });
});
