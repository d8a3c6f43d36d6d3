import { describe, expect, it } from 'vitest';
import { scenarioFromData } from '../model/scenario.js';
import { checkSignalingSupported } from './signaling-support.js';

const load = (signaling: string, viewer = 'viewer') => scenarioFromData({ topology: 'full-cone', signaling, peers: { cam: { kind: 'pi-camera', host: 'b' }, v: { kind: viewer, host: 'a' } } }, '/p/s.yaml');

describe('signaling protocols spoken', () => {
  it('lab and kvs run; kvs refuses a Chromium viewer, naming it; protocols not spoken yet are refused', () => {
    expect(() => checkSignalingSupported(load('lab'))).not.toThrow();
    expect(() => checkSignalingSupported(load('kvs'))).not.toThrow();
    expect(() => checkSignalingSupported(load('kvs', 'chromium-viewer'))).toThrow(/peers\.v: kind chromium-viewer does not speak signaling: kvs/);
    expect(() => checkSignalingSupported(load('mqtt'))).toThrow(/signaling: mqtt is not implemented yet/);
  });
});
