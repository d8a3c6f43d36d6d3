import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cellScenario } from '../../matrix/run-matrix.js';
import { loadImpairProfile, profileImpairments } from './profiles.js';

describe('matrix impairment profiles', () => {
  it("a profile goes on each peer's access link: its nearest router's outside interface, or its own without a router", () => {
    const s = cellScenario('cgnat', 'open', { policy: 'all', timeoutMs: 1000, viewerKind: 'werift', signaling: 'lab', impair: loadImpairProfile('mobile') }, {});
    expect(s.impairments!.map((i) => `${i.node}.${i.iface}:${i.delayMs}/${i.loss}`)).toEqual(['homea.wan0:30/0.01', `${s.camera.host}.eth0:30/0.01`]);
    expect(cellScenario('cgnat', 'open', { policy: 'all', timeoutMs: 1000, viewerKind: 'werift', signaling: 'lab' }, {}).impairments).toBeUndefined();
  });

  it('two peers behind one router get one entry for it', () => {
    const s = cellScenario('full-cone', 'full-cone', { policy: 'all', timeoutMs: 1000, viewerKind: 'werift', signaling: 'lab' }, {});
    const once = profileImpairments(loadImpairProfile('lossy'), s.topology, [s.viewers[0].host, s.viewers[0].host]);
    expect(once).toHaveLength(1);
  });

  it('a profile file is checked like a scenario entry; unknown names list the built-in ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'impair-'));
    writeFileSync(join(dir, 'ok.yaml'), 'delayMs: 80\nrateKbps: 500\n');
    writeFileSync(join(dir, 'bad.yaml'), 'loss: 5\n');
    expect(loadImpairProfile(join(dir, 'ok.yaml')).fields).toMatchObject({ delayMs: 80, rateKbps: 500, direction: 'both' });
    expect(() => loadImpairProfile(join(dir, 'bad.yaml'))).toThrow(/bad.yaml[\s\S]*loss: loss must be from 0 to 1/);
    expect(() => loadImpairProfile('wobbly')).toThrow('--impair: unknown profile "wobbly" (built in: mobile, lossy, bursty, satellite, slow)');
  });
});
