import { describe, expect, it } from 'vitest';
import { scenarioFromData } from '../model/scenario.js';
import { checkSignalingSupported } from './signaling-support.js';

const scenario = (signaling: string, viewerKind = 'viewer') =>
  scenarioFromData({ name: 's', topology: 'full-cone', signaling, peers: { camera: { kind: 'pi-camera', host: 'b' }, viewer: { kind: viewerKind, host: 'a' } } }, 's.yaml');

describe('signaling support', () => {
  it('lets lab, mqtt, whep and kvs through for the werift peers and the Chromium viewer', () => {
    for (const s of ['lab', 'mqtt', 'whep', 'kvs']) expect(() => checkSignalingSupported(scenario(s)), s).not.toThrow();
    for (const s of ['lab', 'mqtt', 'whep', 'kvs']) expect(() => checkSignalingSupported(scenario(s, 'chromium-viewer')), s).not.toThrow();
  });

  it('refuses a peer kind that does not speak the protocol, naming the peer', () => {
    expect(() => checkSignalingSupported(scenario('kvs', 'firefox-viewer'))).toThrow(/peers.viewer: a firefox-viewer peer does not speak signaling: kvs yet/);
  });

  it('refuses a protocol nobody speaks yet', () => {
    expect(() => checkSignalingSupported({ ...scenario('lab'), signaling: 'sip' as never })).toThrow(/signaling: sip is not implemented yet/);
  });
});
