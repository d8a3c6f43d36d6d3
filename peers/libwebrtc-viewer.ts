/**
 * Viewer on libwebrtc (@roamhq/wrtc): the offerer, like the werift viewer; it decodes what the
 * camera sends (VP8/VP9/AV1: this build has no H.264) and counts frames through
 * nonstandard.RTCVideoSink, reporting the first decoded one, then the pair libwebrtc settles on.
 * `viewer: { kind: libwebrtc-viewer }`; contract and settings: peers/README.md.
 */
import { commonConfig, emit, envNumber, fail, requireEnv } from './lib/contract.js';
import { fetchIceConfig } from './lib/ice-servers.js';
import { LibwebrtcSession, libwebrtcIceServers, wrtc } from './lib/libwebrtc-session.js';
import { connectSignaling } from './lib/peer-signaling.js';

const cfg = commonConfig();
const cameraId = requireEnv('LAB_REMOTE_PEER');
const holdMs = envNumber('LAB_HOLD_MS', 0);
emit('started', { peer: cfg.peerId, stack: 'libwebrtc', role: 'viewer' });

const media = { trackSeen: false, frames: 0 };
let lastStage = `connecting to signaling at ${cfg.signalingUrl}`;
let session: LibwebrtcSession | null = null;
const deadline = setTimeout(() => fail(`no first video frame within ${cfg.timeoutMs} ms${session?.turnErrors.length ? ` (${session.failureHint()})` : ''}`, { stage: lastStage, media }), cfg.timeoutMs);

async function main(): Promise<void> {
  const signaling = await connectSignaling(cfg, { role: 'viewer', cameraId });
  emit('signaling-connected');
  lastStage = 'fetching ICE config';
  const iceConfig = await fetchIceConfig(cfg);
  const iceServers = libwebrtcIceServers(iceConfig, cfg.turnTransports);
  emit('ice-config-fetched', { iceServers: iceServers.map((s) => s.urls), ttl: iceConfig.IceServerList[0]?.Ttl });
  const s = (session = new LibwebrtcSession({ cfg, iceServers, remote: cameraId, signaling }));
  const { pc } = s;
  signaling.onMessage(async (msg) => {
    if (msg.from !== cameraId) return;
    if (msg.type === 'answer') {
      emit('answer-received', { session: cameraId });
      lastStage = 'ICE';
      await s.setRemote('answer', msg.sdp as string);
    } else if (msg.type === 'candidate') await s.addCandidate(msg.candidate as RTCIceCandidateInit);
  });

  const channel = pc.createDataChannel('telemetry');
  const channelOpen = new Promise<void>((resolve) => (channel.onopen = () => (emit('datachannel-open', { session: cameraId }), resolve())));
  let telemetrySeen = false;
  channel.onmessage = (e) => {
    if (telemetrySeen) return;
    telemetrySeen = true;
    emit('telemetry', { session: cameraId, sample: JSON.parse(String(e.data)) });
  };
  pc.addTransceiver('video', { direction: 'recvonly' });
  const firstFrame = new Promise<void>((resolve) => {
    pc.ontrack = (e) => {
      media.trackSeen = true;
      const sink = new wrtc.nonstandard.RTCVideoSink(e.track as never);
      sink.onframe = ({ frame }: { frame: { width: number; height: number } }) => {
        if (++media.frames > 1) return;
        emit('first-frame', { session: cameraId, width: frame.width, height: frame.height, decoder: 'libwebrtc' });
        resolve();
      };
      firstFrame.then(() => holdMs || sink.stop());
    };
  });

  await s.sendLocalDescription('offer');
  lastStage = 'waiting for the answer';
  await Promise.all([s.connected, channelOpen]);
  lastStage = 'waiting for the first frame';
  await firstFrame;
  await s.reportSelectedPair();
  if (holdMs) await new Promise((r) => setTimeout(r, holdMs));
  clearTimeout(deadline);
  signaling.send({ type: 'bye', to: cameraId });
  await signaling.close();
  emit('done', { ok: true });
  pc.close();
  process.stdout.write('', () => process.exit(0));
}

main().catch((err: Error) => fail(err.message, { stage: lastStage }));
