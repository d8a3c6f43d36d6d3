/**
 * Viewer (werift): the offerer, like a KVS viewer or a browser opening a camera. Opens a
 * datachannel, receives H.264 and reports the first whole IDR frame, then its selected pair.
 * Contract and settings: peers/README.md.
 */
import { commonConfig, emit, envChoice, envNumber, fail, requireEnv } from './lib/contract.js';
import { FrameAssembler } from './lib/h264.js';
import { fetchIceConfig, iceServersFor } from './lib/ice-servers.js';
import { connectSignaling } from './lib/peer-signaling.js';
import { tunnelTransport } from './lib/http-tunnel.js';
import { SignalingClient, type Signaling } from './lib/signaling-client.js';
import { WhepClient } from './lib/whep-client.js';
import { WeriftSession } from './lib/werift-session.js';

const cfg = commonConfig();
const cameraId = requireEnv('LAB_REMOTE_PEER');
/** Keep receiving this long after the first frame (0: finish at once). */
const holdMs = envNumber('LAB_HOLD_MS', 0);
/** lab, mqtt and kvs: connectSignaling (peer-signaling.ts); whep: a WHEP client of the camera (reached through the relay's tunnel). */
const protocol = envChoice('LAB_SIGNALING', ['lab', 'mqtt', 'whep', 'kvs'] as const, 'lab');
emit('started', { peer: cfg.peerId, stack: 'werift', role: 'viewer' });

/** What the media path delivered so far: the first thing to read when no frame came. */
const media = { trackSeen: false, rtpPackets: 0, frames: 0, plisSent: 0 };
const deadline = setTimeout(() => fail(`no first video frame within ${cfg.timeoutMs} ms`, { stage: stage(), media }), cfg.timeoutMs);
let lastStage = `connecting to signaling at ${cfg.signalingUrl}`;
const stage = () => lastStage;

async function main(): Promise<void> {
  // WHEP: the camera's endpoint is reached through the tunnel over the lab's relay (http-tunnel.ts).
  const relay = protocol === 'whep' ? await SignalingClient.connect(`${cfg.signalingUrl}?room=${cfg.room}&peer=${cfg.peerId}&token=${cfg.token}`, Date.now() + cfg.timeoutMs) : null;
  const signaling: Signaling = relay ? new WhepClient(tunnelTransport(relay, cameraId, cfg.timeoutMs), cameraId, (m) => fail(m, { stage: stage() }), emit) : await connectSignaling(cfg, { role: 'viewer', cameraId });
  emit('signaling-connected');
  lastStage = 'fetching ICE config';
  const iceConfig = await (signaling.iceConfig?.() ?? fetchIceConfig(cfg));
  const iceServers = iceServersFor(iceConfig, cfg.turnTransports);
  emit('ice-config-fetched', { iceServers: iceServers.map((s) => s.urls), ttl: iceConfig.IceServerList[0]?.Ttl });

  const session = new WeriftSession({ cfg, iceServers, remote: cameraId, signaling, profileLevelId: '42e01f' });
  const { pc } = session;
  signaling.onMessage(async (msg) => {
    if (msg.from !== cameraId) return;
    if (msg.type === 'answer') {
      emit('answer-received', { session: cameraId });
      lastStage = 'ICE';
      await session.setRemote('answer', msg.sdp as string);
    } else if (msg.type === 'candidate') await session.addCandidate(msg.candidate as Record<string, unknown>);
  });

  const channel = pc.createDataChannel('telemetry');
  const channelOpen = new Promise<void>((resolve) => channel.stateChanged.subscribe((s) => s === 'open' && (emit('datachannel-open', { session: cameraId }), resolve())));
  let telemetrySeen = false;
  channel.onMessage.subscribe((data) => {
    if (telemetrySeen) return;
    telemetrySeen = true;
    emit('telemetry', { session: cameraId, sample: JSON.parse(data.toString()) });
  });

  const transceiver = pc.addTransceiver('video', { direction: 'recvonly' });
  const firstFrame = new Promise<void>((resolve) => {
    transceiver.onTrack.subscribe((track) => {
      media.trackSeen = true;
      const assembler = new FrameAssembler();
      let lastPli = 0;
      track.onReceiveRtp.subscribe((rtp) => {
        media.rtpPackets++;
        const frame = assembler.push({ sequenceNumber: rtp.header.sequenceNumber, timestamp: rtp.header.timestamp, marker: rtp.header.marker, payload: rtp.payload });
        if (!frame) return;
        const frames = ++media.frames;
        // Frames but no usable keyframe yet (its packets were lost): ask for one, as decoders do.
        if (!frame.decodableKeyframe && Date.now() - lastPli > 500) {
          lastPli = Date.now();
          media.plisSent++;
          emit('pli-sent', { session: cameraId });
          transceiver.receiver.sendRtcpPLI(rtp.header.ssrc).catch(() => {});
        }
        if (frame.decodableKeyframe) {
          emit('first-frame', { session: cameraId, bytes: frame.nals.reduce((n, x) => n + x.length, 0), framesBefore: frames - 1 });
          resolve();
        }
      });
    });
  });

  await session.sendLocalDescription('offer');
  lastStage = 'waiting for the answer';

  await Promise.all([session.connected, channelOpen]);
  lastStage = 'waiting for the first frame';
  await firstFrame;
  await session.reportSelectedPair();
  if (holdMs) await new Promise((r) => setTimeout(r, holdMs));
  clearTimeout(deadline);
  signaling.send({ type: 'bye', to: cameraId });
  await signaling.close();
  emit('done', { ok: true });
  await pc.close().catch(() => {});
  relay?.close();
  process.stdout.write('', () => process.exit(0));
}

main().catch((err: Error) => fail(err.message, { stage: stage() }));
