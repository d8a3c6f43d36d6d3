/**
 * The Raspberry Pi camera on libwebrtc (@roamhq/wrtc), the stack pi-webrtc runs: it answers each
 * viewer's offer with its own peer connection (fresh TURN credentials before each), sends a VP8
 * test pattern through nonstandard.RTCVideoSource (this libwebrtc build has no H.264) and
 * telemetry on the viewer's datachannel. Same contract events as the werift pi-camera
 * (peers/README.md); `camera: { kind: pi-camera, stack: libwebrtc }` in a scenario.
 */
import { CandidateQueues } from '../lab/contract/candidate-queue.js';
import { commonConfig, emit, envChoice, fail } from './lib/contract.js';
import { fetchIceConfig } from './lib/ice-servers.js';
import { LibwebrtcSession, libwebrtcIceServers, wrtc } from './lib/libwebrtc-session.js';
import { runCamera } from './lib/camera-main.js';
import type { Signaling } from './lib/signaling-client.js';
import { TestPattern } from './lib/test-pattern.js';

const PROFILES = {
  kvs: { fps: 25, width: 1280, height: 720 },
  pi: { fps: 30, width: 640, height: 480 },
} as const;

const cfg = commonConfig();
const profileName = envChoice('LAB_PROFILE', ['kvs', 'pi'] as const, 'kvs');
const profile = PROFILES[profileName];
emit('started', { peer: cfg.peerId, stack: 'libwebrtc', role: 'camera', profile: profileName, fps: profile.fps, codec: 'VP8' });

const sessions = new Map<string, LibwebrtcSession>();
const early = new CandidateQueues<RTCIceCandidateInit>();
/** One source for every viewer, as a camera has one sensor; frames flow once the first viewer connects. */
const source = new wrtc.nonstandard.RTCVideoSource();
const pattern = new TestPattern(profile.width, profile.height);
let pump: NodeJS.Timeout | null = null;
let framesSent = 0;

function startPump(): void {
  if (pump) return;
  const send = () => {
    source.onFrame(pattern.next());
    framesSent++;
  };
  send();
  pump = setInterval(send, 1000 / profile.fps);
}

async function main(): Promise<void> {
  await runCamera(cfg, { answer, early, leave });
}

function leave(viewer: string): void {
  emit('viewer-left', { session: viewer });
  sessions.get(viewer)?.pc.close();
  sessions.delete(viewer);
  early.delete(viewer);
}

async function answer(signaling: Signaling, viewer: string, sdp: string): Promise<void> {
  const candidates = early.forNewSession(viewer);
  emit('offer-received', { session: viewer });
  const iceConfig = await fetchIceConfig(cfg);
  const iceServers = libwebrtcIceServers(iceConfig, cfg.turnTransports);
  emit('ice-config-fetched', { session: viewer, iceServers: iceServers.map((s) => s.urls), ttl: iceConfig.IceServerList[0]?.Ttl });
  const session = new LibwebrtcSession({ cfg, iceServers, remote: viewer, signaling });
  sessions.set(viewer, session);
  const { pc } = session;
  pc.ondatachannel = ({ channel }) => {
    const start = Date.now();
    let timer: NodeJS.Timeout | null = null;
    channel.onopen = () => {
      emit('datachannel-open', { session: viewer });
      timer = setInterval(() => {
        if (channel.readyState !== 'open') return;
        channel.send(JSON.stringify({ device: cfg.peerId, profile: profileName, fps: profile.fps, width: profile.width, height: profile.height, uptimeMs: Date.now() - start, framesSent }));
      }, 200);
    };
    channel.onclose = () => timer && clearInterval(timer);
  };
  await session.setRemote('offer', sdp);
  // The offer's video m-line is the viewer's recvonly transceiver: send the pattern on it, VP8 first.
  const transceiver = pc.getTransceivers().find((t) => t.receiver.track.kind === 'video');
  if (!transceiver) throw new Error('the offer has no video m-line');
  const track = source.createTrack();
  await transceiver.sender.replaceTrack(track);
  transceiver.direction = 'sendonly';
  preferVp8(transceiver);
  await candidates.open((c) => session.addCandidate(c));
  await session.sendLocalDescription('answer');
  session.connected.then(
    async () => {
      emit('media-started', { session: viewer });
      startPump();
      await session.reportSelectedPair();
    },
    (err: Error) => emit('error', { session: viewer, message: err.message, stage: 'ICE' }),
  );
}

/** Viewers that can decode only VP8 (Firefox offline) get it; so does every other one, for one codec across stacks. */
function preferVp8(transceiver: RTCRtpTransceiver): void {
  const caps = wrtc.RTCRtpSender.getCapabilities('video') as RTCRtpCapabilities | null;
  const vp8 = caps?.codecs.filter((c) => /^video\/(vp8|rtx)$/i.test(c.mimeType));
  if (!vp8?.length) return;
  try {
    transceiver.setCodecPreferences(vp8);
  } catch (err) {
    emit('warning', { message: `setCodecPreferences(VP8): ${(err as Error).message}` });
  }
}

process.on('SIGTERM', async () => {
  if (pump) clearInterval(pump);
  // A viewer that finished first must not take the camera's view of the pair with it.
  await Promise.race([Promise.all([...sessions.values()].map((s) => s.reportNow())), new Promise((r) => setTimeout(r, 500))]);
  for (const s of sessions.values()) s.pc.close();
  emit('done', { ok: true, sessions: sessions.size });
  process.stdout.write('', () => process.exit(0));
});

main().catch((err: Error) => fail(err.message));
