/** The signaling a scenario asked for (LAB_SIGNALING): the lab's WebSocket protocol, pi-webrtc's MQTT, or Kinesis Video Streams. */
import { emit, envChoice, requireEnv, type CommonPeerConfig } from './contract.js';
import { kvsSettings } from './kvs-settings.js';
import type { MqttReport } from './mqtt-signaling.js';
import { SignalingClient, type PeerSignaling } from './signaling-client.js';

/** The camera, or a viewer of the camera `cameraId`. */
export type SignalingSide = { role: 'camera' } | { role: 'viewer'; cameraId: string };

export async function connectSignaling(cfg: CommonPeerConfig, side: SignalingSide): Promise<PeerSignaling> {
  const protocol = envChoice('LAB_SIGNALING', ['lab', 'mqtt', 'kvs'] as const, 'lab');
  const deadline = Date.now() + cfg.timeoutMs;
  if (protocol === 'lab') return SignalingClient.connect(`${cfg.signalingUrl}?room=${cfg.room}&peer=${cfg.peerId}&token=${cfg.token}`, deadline);
  // KVS: the camera is the channel's MASTER; a viewer is a VIEWER whose client id is its peer id.
  // mqtt and the KVS client (with the AWS signer) load only for runs that use them: a lab run does not pay for them.
  if (protocol === 'kvs') {
    const { connectKvs } = await import('./kvs-signaling.js');
    return side.role === 'camera' ? connectKvs(kvsSettings(), 'MASTER', null, cfg.peerId, deadline) : connectKvs(kvsSettings(), 'VIEWER', cfg.peerId, side.cameraId, deadline);
  }
  // pi-webrtc's uid is the camera's device id: here the camera's peer id; a viewer's client id is its own.
  const who = side.role === 'camera' ? { role: 'camera' as const, uid: cfg.peerId } : { role: 'viewer' as const, uid: side.cameraId, cid: cfg.peerId };
  const { MqttSignaling } = await import('./mqtt-signaling.js');
  return MqttSignaling.connect(requireEnv('LAB_MQTT_URL'), who, deadline, emit as MqttReport);
}
