import { describe, expect, it } from 'vitest';
import { scenarioFromData } from '../model/scenario.js';
import { checkSignalingSupported } from './signaling-support.js';

const scenario = (signaling: string, viewerKind = 'viewer') =>
  scenarioFromData({ name: 's', topology: 'full-cone', signaling, peers: { camera: { kind: 'pi-camera', host: 'b' }, viewer: { kind: viewerKind, host: 'a' } } }, 'scenarios/s.yaml');

describe('checkSignalingSupported', () => {
  it('accepts lab and whep with the werift viewer', () => {
    expect(() => checkSignalingSupported(scenario('lab'))).not.toThrow();
    expect(() => checkSignalingSupported(scenario('whep'))).not.toThrow();
  });

  it('refuses whep with a Chromium viewer, naming the peer', () => {
    expect(() => checkSignalingSupported(scenario('whep', 'chromium-viewer'))).toThrow(/peers\.viewer \(kind chromium-viewer\) does not speak signaling: whep/);
    expect(() => checkSignalingSupported(scenario('lab', 'chromium-viewer'))).not.toThrow();
  });
});
