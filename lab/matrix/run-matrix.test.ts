import { describe, expect, it } from 'vitest';
import { checkSignalingSupported } from '../run/signaling-support.js';
import { cellRunOptions, cellScenario, checkMatrixSignaling } from './run-matrix.js';

const opts = (signaling: 'lab' | 'mqtt' | 'whep' | 'kvs', viewerKind: 'werift' | 'chromium' | 'firefox' = 'werift') => ({ presets: ['full-cone', 'symmetric'], policy: 'all' as const, timeoutMs: 15_000, viewerKind, signaling });

describe('matrix cells and their signaling', () => {
  it('every cell scenario carries the matrix signaling, and passes the check a single run makes', () => {
    for (const signaling of ['lab', 'mqtt', 'whep'] as const) {
      const s = cellScenario('full-cone', 'symmetric', opts(signaling), { outcome: 'direct' });
      expect(s.signaling).toBe(signaling);
      expect([s.camera.kind, s.viewers.map((v) => v.kind)]).toEqual(['pi-camera', ['viewer']]);
      expect(() => checkSignalingSupported(s)).not.toThrow();
      expect(() => checkMatrixSignaling(opts(signaling))).not.toThrow();
    }
  });

  it('refuses a signaling the cells cannot speak before any lab, as a usage error naming the flags', () => {
    const err = (() => {
      try {
        checkMatrixSignaling(opts('kvs', 'firefox'));
      } catch (e) {
        return e as { code: string; message: string };
      }
      return null;
    })();
    expect(err?.code).toBe('usage');
    // The Firefox viewer does not speak KVS (the Chromium viewer does).
    expect(err?.message).toMatch(/^matrix --signaling kvs --viewer firefox: peers\.viewer: a firefox-viewer peer does not speak signaling: kvs/);
    expect(() => checkMatrixSignaling(opts('kvs', 'chromium'))).not.toThrow();
  });

  it('the chromium viewer stack goes into every cell', () => {
    const s = cellScenario('symmetric', 'symmetric', opts('lab', 'chromium'), { outcome: 'relay' });
    expect(s.viewers[0].kind).toBe('chromium-viewer');
  });
});

describe('what a cell shares with its worker', () => {
  const reaper = { forLab: () => ({ built: () => {}, release: async () => {} }), close: async () => {} };

  it('without a shared reaper (--no-reuse) a cell runs as a scenario would: its own reaper and lab DNS', () => {
    const s = cellScenario('full-cone', 'symmetric', opts('lab'), { outcome: 'direct' });
    expect(cellRunOptions(s, undefined, undefined)).toEqual({ signal: undefined });
  });

  it('the lab DNS is left out only when the peers reach everything by address', () => {
    const lab = cellScenario('full-cone', 'symmetric', opts('lab'), { outcome: 'direct' });
    expect(cellRunOptions(lab, reaper, undefined)).toEqual({ signal: undefined, reaper, labDns: false });
    // MQTT peers find the broker by its lab name; a browser viewer is not known to use addresses only.
    for (const s of [cellScenario('full-cone', 'symmetric', opts('mqtt'), { outcome: 'direct' }), cellScenario('full-cone', 'symmetric', opts('lab', 'chromium'), { outcome: 'direct' })]) {
      expect(cellRunOptions(s, reaper, undefined)).toEqual({ signal: undefined, reaper });
    }
    // Names of the scenario's own need the DNS too.
    expect(cellRunOptions({ ...lab, dns: { 'cam.example': '203.0.113.9' } }, reaper, undefined).labDns).toBeUndefined();
  });
});
