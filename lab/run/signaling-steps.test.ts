import { describe, expect, it } from 'vitest';
import type { PeerEvent } from './peer-process.js';
import { signalingSteps } from './signaling-steps.js';

const ev = (t: number, event: string, fields: Record<string, unknown> = {}): PeerEvent => ({ t, event, ...fields }) as PeerEvent;

describe('signaling steps of a session', () => {
  it('KVS: both sides\' calls in time order on the offer\'s clock; the camera\'s ICE config of another viewer is left out', () => {
    const viewer = [ev(10, 'x-kvs-describe', { channel: 'cam', endpoint: 'https://kinesisvideo.us-west-2.amazonaws.com', channelARN: 'arn:1' }), ev(30, 'x-kvs-connected', { clientId: 'v1', wss: 'wss://v' }), ev(50, 'offer-sent')];
    const camera = [ev(5, 'x-kvs-endpoint', { role: 'MASTER', wss: 'wss://v', https: 'https://v' }), ev(60, 'x-kvs-ice-config', { session: 'v1', uris: ['turn:x'], stun: 'stun:s:443', stunAddress: '203.0.113.2' }), ev(61, 'x-kvs-ice-config', { session: 'v2', uris: [] })];
    const steps = signalingSteps('v1', viewer, camera, 50)!;
    expect(steps.map((s) => [s.at, s.peer, s.step])).toEqual([
      [-45, 'camera', 'endpoint'],
      [-40, 'viewer', 'describe'],
      [-20, 'viewer', 'connected'],
      [10, 'camera', 'ice-config'],
    ]);
    expect(steps[2].detail).toBe('WSS open (SigV4-presigned, X-Amz-ClientId v1): wss://v');
    expect(steps[3].detail).toMatch(/GetIceServerConfig: turn:x; STUN stun:s:443 \(-> 203\.0\.113\.2\)/);
  });

  it('no KVS events: no steps (other protocols keep their result as it was)', () => {
    expect(signalingSteps('v1', [ev(1, 'offer-sent'), ev(2, 'x-mqtt-subscribed')], [], 1)).toBeUndefined();
  });
});
