import { describe, expect, it } from 'vitest';
import { scenarioFromData } from '../model/scenario.js';
import { checkSignalingSupported } from './signaling-support.js';

const scenario = (signaling: string, viewerKind = 'viewer') =>
  scenarioFromData({ name: 's', topology: 'full-cone', signaling, peers: { camera: { kind: 'pi-camera', host: 'b' }, viewer: { kind: viewerKind, host: 'a' } } }, 's.yaml');

describe('signaling support', () => {
  it('lets the lab protocol and mqtt through for the werift peers', () => {
    expect(() => checkSignalingSupported(scenario('lab'))).not.toThrow();
    expect(() => checkSignalingSupported(scenario('mqtt'))).not.toThrow();
  });

  it('refuses a peer kind that does not speak the protocol, naming the peer', () => {
    expect(() => checkSignalingSupported(scenario('mqtt', 'chromium-viewer'))).toThrow(/peers.viewer: a chromium-viewer peer does not speak signaling: mqtt yet/);
  });

  it('refuses a protocol nobody speaks yet', () => {
    expect(() => checkSignalingSupported(scenario('whep'))).toThrow(/signaling: whep is not implemented yet/);
  });
});
