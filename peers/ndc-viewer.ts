/**
 * A viewer on a second, independent stack: node-datachannel (libdatachannel + libjuice, C++).
 * It follows the same peer contract as the werift and Chromium viewers, which is the point: the
 * lab never imports a peer's code. Run it as a "command" peer (scenarios/byo-node-datachannel.yaml).
 *
 * Known limit: the prebuilt node-datachannel has no TURN over TCP or TLS (libdatachannel #1484),
 * so it cannot cross a network that blocks UDP.
 */
import nodeDataChannel from 'node-datachannel';
import { CandidateQueue } from '../lab/contract/candidate-queue.js';
import { candidateView } from '../lab/contract/stats.js';
import { commonConfig, emit, fail, requireEnv } from './lib/contract.js';
import { FrameAssembler } from './lib/h264.js';
import { fetchIceConfig } from './lib/ice-servers.js';
import { parseRtp } from './lib/rtp.js';
import { SignalingClient } from './lib/signaling-client.js';

const cfg = commonConfig();
const cameraId = requireEnv('LAB_REMOTE_PEER');
const unsupported = cfg.turnTransports.filter((t) => t !== 'udp');
if (unsupported.length) fail(`node-datachannel's prebuilt build has no TURN over ${unsupported.join('/')} (libdatachannel #1484): give this peer TURN over udp`);
emit('started', { peer: cfg.peerId, stack: `node-datachannel ${nodeDataChannel.getLibraryVersion?.() ?? ''}`.trim(), role: 'viewer' });
const deadline = setTimeout(() => fail(`no first video frame within ${cfg.timeoutMs} ms`), cfg.timeoutMs);

async function main(): Promise<void> {
  const signaling = await SignalingClient.connect(`${cfg.signalingUrl}?room=${cfg.room}&peer=${cfg.peerId}&token=${cfg.token}`, Date.now() + cfg.timeoutMs);
  emit('signaling-connected');
  const ice = await fetchIceConfig(cfg);
  const turn = ice.IceServerList[0];
  const [stunHost, stunPort] = ice.StunUris[0].replace(/^stun:/, '').split(':');
  const turnUri = turn?.Uris.find((u) => u.startsWith('turn:') && /transport=udp/.test(u));
  const [turnHost, turnPort] = (turnUri ?? '').replace(/^turn:/, '').replace(/\?.*$/, '').split(':');
  const iceServers = [{ hostname: stunHost, port: Number(stunPort) }, ...(turnUri ? [{ hostname: turnHost, port: Number(turnPort), username: turn.Username, password: turn.Password, relayType: 'TurnUdp' as const }] : [])];
  emit('ice-config-fetched', { iceServers: [ice.StunUris[0], ...(turnUri ? [turnUri] : [])] });

  const pc = new nodeDataChannel.PeerConnection(cfg.peerId, { iceServers, iceTransportPolicy: cfg.icePolicy, disableAutoNegotiation: true });
  const session = cameraId;
  pc.onLocalCandidate((candidate, mid) => {
    emit('local-candidate', { session, candidate });
    if (cfg.trickle) signaling.send({ type: 'candidate', to: cameraId, candidate: { candidate, sdpMid: mid } });
  });
  pc.onGatheringStateChange((state) => {
    if (state !== 'complete') return;
    emit('gathering-complete', { session });
    if (cfg.trickle) signaling.send({ type: 'end-of-candidates', to: cameraId });
    else {
      const local = pc.localDescription()!;
      emit('local-description', { session, type: 'offer', sdp: local.sdp });
      signaling.send({ type: 'offer', to: cameraId, sdp: local.sdp });
      emit('offer-sent', { session, trickle: false });
    }
  });
  pc.onIceStateChange((state) => emit('ice-state', { session, state }));
  pc.onStateChange((state) => {
    emit('connection-state', { session, state });
    if (state === 'connected') emit('dtls-connected', { session });
  });
  pc.onLocalDescription((sdp, type) => {
    if (!cfg.trickle) return; // sent with every candidate once gathering completes
    emit('local-description', { session, type, sdp });
    signaling.send({ type: 'offer', to: cameraId, sdp });
    emit('offer-sent', { session, trickle: true });
  });
  // libdatachannel refuses candidates before the remote description: early ones wait here.
  const early = new CandidateQueue<{ candidate: string; sdpMid?: string }>();
  const addCandidate = (c: { candidate: string; sdpMid?: string }) => {
    try {
      pc.addRemoteCandidate(c.candidate, c.sdpMid ?? '0');
    } catch (err) {
      emit('warning', { session, message: (err as Error).message });
    }
  };
  signaling.onMessage((msg) => {
    if (msg.from !== cameraId) return;
    if (msg.type === 'answer') {
      emit('answer-received', { session });
      pc.setRemoteDescription(msg.sdp as string, 'answer');
      void early.open(addCandidate);
    } else if (msg.type === 'candidate') {
      const c = msg.candidate as { candidate: string; sdpMid?: string };
      emit('remote-candidate', { session, candidate: c.candidate });
      void early.add(c);
    }
  });

  const video = new nodeDataChannel.Video('0', 'RecvOnly');
  video.addH264Codec(96);
  const track = pc.addTrack(video);
  const channel = pc.createDataChannel('telemetry');
  const channelOpen = new Promise<void>((resolve) => channel.onOpen(() => (emit('datachannel-open', { session }), resolve())));
  const firstFrame = new Promise<void>((resolve) => {
    const assembler = new FrameAssembler();
    track.onMessage((buf) => {
      const rtp = parseRtp(buf);
      if (!rtp) return; // RTCP
      const frame = assembler.push(rtp);
      if (frame?.decodableKeyframe) {
        emit('first-frame', { session, bytes: frame.nals.reduce((n, x) => n + x.length, 0) });
        resolve();
      }
      if (frame && !frame.decodableKeyframe) track.requestKeyframe();
    });
  });
  pc.setLocalDescription();

  await Promise.all([channelOpen, firstFrame]);
  const pair = pc.getSelectedCandidatePair();
  // libdatachannel's own shape, not W3C stats; its prebuilt build relays over UDP only.
  const view = (c: { type: string; transportType: string; address: string; port: number }) =>
    candidateView({ candidateType: c.type, protocol: c.transportType.replace(/_.*/, ''), address: c.address, port: c.port }, 'udp');
  emit('selected-pair', { session, pair: pair ? { local: view(pair.local), remote: view(pair.remote), rttMs: pc.rtt() ?? null } : null });
  clearTimeout(deadline);
  signaling.send({ type: 'bye', to: cameraId });
  emit('done', { ok: true });
  pc.close();
  signaling.close();
  nodeDataChannel.cleanup();
  process.exit(0);
}

main().catch((err: Error) => fail(err.message));
