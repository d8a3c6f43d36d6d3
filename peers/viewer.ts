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
import { HoldMonitor } from './lib/hold-monitor.js';
import { advertiseServerReflexive, asReoffer, gatheringComplete, sdpOrigin, startRestartedChecks } from './lib/werift-ice-restart.js';
import { CandidateQueue } from '../lab/contract/candidate-queue.js';
import { networkInterfaces } from 'node:os';

const cfg = commonConfig();
const cameraId = requireEnv('LAB_REMOTE_PEER');
/** Keep receiving this long after the first frame (0: finish at once). */
const holdMs = envNumber('LAB_HOLD_MS', 0);
/** lab, mqtt and kvs: connectSignaling (peer-signaling.ts); whep: a WHEP client of the camera (reached through the relay's tunnel). */
const protocol = envChoice('LAB_SIGNALING', ['lab', 'mqtt', 'whep', 'kvs'] as const, 'lab');
emit('started', { peer: cfg.peerId, stack: 'werift', role: 'viewer' });

/** What the media path delivered so far: the first thing to read when no frame came. */
const media = { trackSeen: false, rtpPackets: 0, frames: 0, plisSent: 0, framesShown: 0 };
const deadline = setTimeout(() => fail(`no first video frame within ${cfg.timeoutMs} ms`, { stage: stage(), media }), cfg.timeoutMs);
let lastStage = `connecting to signaling at ${cfg.signalingUrl}`;
const stage = () => lastStage;
/** As the werift peers' iceStunGatherTimeout (werift-session.ts). */
const STUN_TIMEOUT_MS = 500;

async function main(): Promise<void> {
  // WHEP: the camera's endpoint is reached through the tunnel over the lab's relay (http-tunnel.ts).
  const relay = protocol === 'whep' ? await SignalingClient.connect(`${cfg.signalingUrl}?room=${cfg.room}&peer=${cfg.peerId}&token=${cfg.token}`, Date.now() + cfg.timeoutMs) : null;
  let signaling: Signaling = relay ? new WhepClient(tunnelTransport(relay, cameraId, cfg.timeoutMs), cameraId, (m) => fail(m, { stage: stage() }), emit) : await connectSignaling(cfg, { role: 'viewer', cameraId });
  emit('signaling-connected');
  lastStage = 'fetching ICE config';
  const iceConfig = await (signaling.iceConfig?.() ?? fetchIceConfig(cfg));
  const iceServers = iceServersFor(iceConfig, cfg.turnTransports);
  emit('ice-config-fetched', { iceServers: iceServers.map((s) => s.urls), ttl: iceConfig.IceServerList[0]?.Ttl });

  const hold = holdMs ? new HoldMonitor(cameraId) : null;
  // The connection sends its trickled candidates through whichever signaling socket is current.
  const current: Signaling = { send: (msg) => signaling.send(msg), onMessage: () => {}, close: () => {} };
  let call = openCall(current, iceServers, hold);
  let addressesAtCall = ownAddresses();
  const listen = (s: Signaling) => s.onMessage((msg) => void call.onMessage(msg).catch((err: Error) => emit('warning', { message: `signaling message: ${err.message}` })));
  listen(signaling);
  await call.firstFrame;
  clearTimeout(deadline);
  await call.session.reportSelectedPair();
  if (hold) {
    // Keep the call up, as a browser would: a failed ICE state or a stalled stream is answered with
    // an ICE restart on this connection through signaling (new ICE credentials, the same DTLS and
    // media). When a restart brought no frame back, the next try is a new peer connection.
    let attempt = 0;
    /** Frames shown when the last ICE restart began; null: the last try was not one. */
    let framesAtRestart: number | null = null;
    const newConnection = async (reason: string) => {
      framesAtRestart = null;
      emit('ice-restart', { session: cameraId, attempt: ++attempt, reason, method: 'new-peer-connection' });
      await call.session.pc.close().catch(() => {});
      const fresh = iceServersFor(await fetchIceConfig(cfg).catch(() => iceConfig), cfg.turnTransports);
      call = openCall(current, fresh, hold);
      addressesAtCall = ownAddresses();
      hold.restarted();
      call.firstFrame.then(() => call.session.reportSelectedPair()).catch(() => {});
    };
    hold.onStall = async (reason) => {
      // The fallback, a new peer connection (fresh TURN credentials, new DTLS): when the last ICE
      // restart brought no frame back, and for WHEP (the camera's PATCH answers no renegotiation).
      const restartFailed = framesAtRestart !== null && media.framesShown === framesAtRestart;
      // werift 0.25.2's restart keeps the host candidates it gathered at the start, so after a
      // handover it would advertise an address the host no longer has: a new connection then.
      const moved = ownAddresses() !== addressesAtCall;
      const viaRestart = !relay && !restartFailed && !moved;
      if (viaRestart) {
        emit('ice-restart', { session: cameraId, attempt: ++attempt, reason, method: 'restart-ice' });
        framesAtRestart = media.framesShown;
        hold.restarted();
      }
      // After a network change the signaling socket is as dead as the media path (its address may
      // be gone): reconnect it, as an app does; the server replaces the old connection (4001).
      if (!relay) {
        const old = signaling;
        signaling = await connectSignaling(cfg, { role: 'viewer', cameraId });
        emit('signaling-connected');
        listen(signaling);
        void Promise.resolve(old.close()).catch(() => {});
      }
      if (!viaRestart) return newConnection(moved ? `${reason}; the host's addresses changed` : reason);
      try {
        await call.restartIce();
      } catch (err) {
        emit('warning', { session: cameraId, message: `ICE restart ${attempt}: ${(err as Error).message}; trying a new peer connection` });
        await newConnection(`the ICE restart failed: ${(err as Error).message}`);
      }
    };
    await hold.run(holdMs);
  }
  signaling.send({ type: 'bye', to: cameraId });
  await signaling.close();
  emit('done', { ok: true });
  await call.session.pc.close().catch(() => {});
  relay?.close();
  process.stdout.write('', () => process.exit(0));
}

interface Call {
  session: WeriftSession;
  firstFrame: Promise<void>;
  onMessage(msg: Record<string, unknown>): Promise<void>;
  /**
   * An ICE restart of this connection: a re-offer with new ICE credentials (the same o= session,
   * so the camera answers it on its connection); frames count again from the next keyframe, and
   * the pair it recovered on is reported once they flow. Resolves once the offer is out.
   */
  restartIce(): Promise<void>;
}

/** One peer connection to the camera: offer, datachannel, the video track; frames go to the hold monitor. */
function openCall(signaling: Signaling, iceServers: ReturnType<typeof iceServersFor>, hold: HoldMonitor | null): Call {
  const session = new WeriftSession({ cfg, iceServers, remote: cameraId, signaling, profileLevelId: '42e01f' });
  const { pc } = session;
  /** An ICE restart under way: the camera's new candidates wait for its new answer. */
  let restart: { candidates: CandidateQueue<Record<string, unknown>>; gathered: Promise<void> } | null = null;
  const onMessage = async (msg: Record<string, unknown>) => {
    if (msg.from !== cameraId) return;
    if (msg.type === 'answer') {
      emit('answer-received', { session: cameraId });
      lastStage = 'ICE';
      const restarting = restart;
      await session.setRemote('answer', msg.sdp as string);
      if (!restarting) return;
      restart = null;
      await restarting.candidates.open((c) => session.addCandidate(c));
      await restarting.gathered;
      // werift 0.25.2 would run no checks after a restart (werift-ice-restart.ts): start them.
      startRestartedChecks(pc, (err) => emit('warning', { session: cameraId, message: `ICE restart: ${err.message}` }));
    } else if (msg.type === 'candidate') {
      const candidate = msg.candidate as Record<string, unknown>;
      await (restart ? restart.candidates.add(candidate) : session.addCandidate(candidate));
    }
  };
  pc.iceConnectionStateChange.subscribe((state) => state === 'failed' && hold?.failed(`ICE ${state}`));

  const channel = pc.createDataChannel('telemetry');
  const channelOpen = new Promise<void>((resolve) => channel.stateChanged.subscribe((s) => s === 'open' && (emit('datachannel-open', { session: cameraId }), resolve())));
  let telemetrySeen = false;
  channel.onMessage.subscribe((data) => {
    if (telemetrySeen) return;
    telemetrySeen = true;
    emit('telemetry', { session: cameraId, sample: JSON.parse(data.toString()) });
  });

  const transceiver = pc.addTransceiver('video', { direction: 'recvonly' });
  /** Frames count (and the stream is back) from a decodable keyframe: after a restart, the next one. */
  let seenKeyframe = false;
  let framesBack: (() => void) | null = null;
  const keyframe = new Promise<void>((resolve) => {
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
        if (!frame.decodableKeyframe && !seenKeyframe && Date.now() - lastPli > 500) {
          lastPli = Date.now();
          media.plisSent++;
          emit('pli-sent', { session: cameraId });
          transceiver.receiver.sendRtcpPLI(rtp.header.ssrc).catch(() => {});
        }
        if (frame.decodableKeyframe && !seenKeyframe) {
          seenKeyframe = true;
          // The first frame of the run is the contract's first-frame; later calls resume the hold.
          if (!hold?.started) emit('first-frame', { session: cameraId, bytes: frame.nals.reduce((n, x) => n + x.length, 0), framesBefore: frames - 1 });
          resolve();
          framesBack?.();
          framesBack = null;
        }
        if (seenKeyframe) {
          media.framesShown++;
          hold?.frame();
        }
      });
    });
  });
  const firstFrame = (async () => {
    await session.sendLocalDescription('offer');
    lastStage = 'waiting for the answer';
    await Promise.all([session.connected, channelOpen]);
    lastStage = 'waiting for the first frame';
    await keyframe;
  })();
  let origin: ReturnType<typeof sdpOrigin> = null;
  let version = 0;
  const restartIce = async () => {
    origin ??= sdpOrigin(pc.localDescription?.sdp ?? '');
    if (!origin) throw new Error('no o= line in the connection\'s first offer to keep');
    restart = { candidates: new CandidateQueue<Record<string, unknown>>(), gathered: Promise.resolve() };
    seenKeyframe = false;
    const description = await pc.createOffer({ iceRestart: true });
    version = Math.max(version, origin.version) + 1;
    // werift applies only the offer it created, as it created it: the camera gets the re-offer form.
    const applied = pc.setLocalDescription(description);
    // A server-reflexive candidate of the new generation too, which werift's restart leaves out.
    restart.gathered = applied.then(() => Promise.all([gatheringComplete(pc), advertiseServerReflexive(pc, STUN_TIMEOUT_MS)])).then(() => {});
    if (!cfg.trickle) await restart.gathered;
    const sent = asReoffer(cfg.trickle ? description.sdp : pc.localDescription!.sdp, origin, version);
    emit('local-description', { session: cameraId, type: 'offer', sdp: sent });
    signaling.send({ type: 'offer', to: cameraId, sdp: sent });
    emit('offer-sent', { session: cameraId, trickle: cfg.trickle });
    void new Promise<void>((resolve) => (framesBack = resolve)).then(() => session.reportSelectedPair());
    await applied;
  };
  return { session, firstFrame, onMessage, restartIce };
}

main().catch((err: Error) => fail(err.message, { stage: stage() }));

/** This host's IPv4 addresses (not loopback), to tell that it moved to another network. */
function ownAddresses(): string {
  return Object.values(networkInterfaces()).flat().filter((a) => a && a.family === 'IPv4' && !a.internal).map((a) => a!.address).sort().join(',');
}
