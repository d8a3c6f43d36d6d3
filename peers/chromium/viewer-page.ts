/**
 * The Chromium viewer's page (bundled for the browser, served by the lab's services): the same
 * viewer as peers/viewer.ts, on the browser's own WebRTC stack (libwebrtc), signaling over the
 * lab's WebSocket, MQTT, WHEP or KVS (./page-signaling.ts). Events go to the Node side through
 * window.labEmit, which stamps and prints them (peers/README.md).
 */
import { CandidateQueue } from '../../lab/contract/candidate-queue.js';
import type { EventFields, EventName } from '../../lab/contract/events.js';
import { iceConfigRequestUrl, iceServersFor, type IceServerConfigResponse, type TurnTransport } from '../../lab/contract/ice-config.js';
import { candidatePairsFromStats, selectedPairFromStats, type StatsRecord } from '../../lab/contract/stats.js';
import type { Incoming, Signaling } from '../lib/signaling-client.js';
import { pageSignaling, reconnectLabSignaling, type PageSignalingConfig } from './page-signaling.js';

export interface ViewerConfig extends PageSignalingConfig {
  iceConfigUrl: string;
  icePolicy: RTCIceTransportPolicy;
  turnTransports: TurnTransport[];
  trickle: boolean;
  /** Put this name in place of the TURN server's address (Firefox: TURN by hostname). */
  turnHostname?: string;
  /**
   * Keep the call up after the first frame (the scenario's holdMs): startViewer returns then, the
   * page reports decoded frames through window.labFrames, restarts ICE when the Node side asks
   * (window.restartViewer) and ends the call on window.endViewer.
   */
  hold?: boolean;
}

type Emit = <N extends EventName>(event: N, fields?: EventFields<N>) => Promise<void>;
declare global {
  interface Window {
    labEmit: Emit;
    startViewer(cfg: ViewerConfig): Promise<void>;
    /** hold: frames decoded since the last report. */
    labFrames(count: number): Promise<void>;
    restartViewer(reason: string): Promise<void>;
    endViewer(): Promise<void>;
  }
}

/** The lab's ICE-config endpoint, or the protocol's own source (KVS: GetIceServerConfig). */
async function iceServers(cfg: ViewerConfig, signaling: Signaling): Promise<{ servers: RTCIceServer[]; ttl?: number }> {
  const fetchLab = async () => {
    const res = await fetch(iceConfigRequestUrl(cfg.iceConfigUrl, cfg.room, cfg.peerId), { headers: { authorization: `Bearer ${cfg.token}` } });
    if (!res.ok) throw new Error(`ICE config: HTTP ${res.status}`);
    return (await res.json()) as IceServerConfigResponse;
  };
  const config = await (signaling.iceConfig?.() ?? fetchLab());
  const servers = iceServersFor(config, cfg.turnTransports);
  const name = cfg.turnHostname;
  return { servers: name ? servers.map((s) => ({ ...s, urls: s.urls.replace(/^(turns?:)[^:?]+/, `$1${name}`) })) : servers, ttl: config.IceServerList[0]?.Ttl };
}

const statsOf = async (pc: RTCPeerConnection) => [...(await pc.getStats()).values()] as StatsRecord[];

/**
 * libwebrtc selects the first pair that works and switches when a better one starts working a
 * moment later; the pair that carries the session is the one it settles on (the same for 500 ms,
 * waiting 2 s at most), not the one in use at the first frame.
 */
async function settle(pc: RTCPeerConnection): Promise<void> {
  const selectedId = async () => {
    return (await statsOf(pc)).find((s) => s.type === 'transport' && s.selectedCandidatePairId)?.selectedCandidatePairId;
  };
  const deadline = performance.now() + 2000;
  let id = await selectedId();
  let since = performance.now();
  while (performance.now() - since < 500 && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    const now = await selectedId();
    if (now !== id) [id, since] = [now, performance.now()];
  }
}

const framesDecoded = async (receiver: RTCRtpReceiver) => {
  const inbound = ([...(await receiver.getStats()).values()] as StatsRecord[]).find((s) => s.type === 'inbound-rtp');
  return Number(inbound?.framesDecoded ?? 0);
};

const FRAME_POLL_MS = 100;

/** Resolves when ICE gathering is complete (at once if it is). */
function gatheringComplete(pc: RTCPeerConnection): Promise<void> {
  return new Promise((resolve) => {
    const check = () => pc.iceGatheringState === 'complete' && (pc.removeEventListener('icegatheringstatechange', check), resolve());
    pc.addEventListener('icegatheringstatechange', check);
    check();
  });
}

window.startViewer = async (cfg: ViewerConfig) => {
  const emit = window.labEmit;
  const session = cfg.remote;
  let failWhep: (err: Error) => void = () => {};
  const whepFailed = new Promise<never>((_, reject) => (failWhep = reject));
  let signaling = await pageSignaling(cfg, emit, (m) => failWhep(new Error(m)));
  await emit('signaling-connected');
  const { servers, ttl } = await iceServers(cfg, signaling);
  await emit('ice-config-fetched', { iceServers: servers.map((s) => s.urls), ...(ttl !== undefined ? { ttl } : {}) });

  const pc = new RTCPeerConnection({ iceServers: servers, iceTransportPolicy: cfg.icePolicy, bundlePolicy: 'max-bundle' });
  const send = (msg: Record<string, unknown>) => signaling.send({ ...msg, to: cfg.remote });
  // Chrome rejects candidates that arrive before the remote description: they wait here (a new
  // queue for each ICE restart: the camera's new candidates wait for its new answer).
  let early = new CandidateQueue<RTCIceCandidateInit>();
  const onSignal = async (msg: Incoming) => {
    if (msg.from !== cfg.remote) return;
    if (msg.type === 'answer') {
      await emit('answer-received', { session });
      await pc.setRemoteDescription({ type: 'answer', sdp: String(msg.sdp) });
      await early.open((c) => pc.addIceCandidate(c));
    } else if (msg.type === 'candidate') {
      const candidate = msg.candidate as RTCIceCandidateInit;
      await emit('remote-candidate', { session, candidate: String(candidate.candidate) });
      await early.add(candidate);
    }
  };
  signaling.onMessage(onSignal);
  /**
   * During an ICE restart, candidates of the new generation wait until its offer is out: sent
   * before it, the camera would apply them to the old generation, which the offer then clears.
   */
  let beforeOffer: RTCIceCandidateInit[] | null = null;
  pc.onicecandidate = (e) => {
    if (!e.candidate) return;
    void emit('local-candidate', { session, candidate: e.candidate.candidate });
    if (!cfg.trickle) return;
    if (beforeOffer) beforeOffer.push(e.candidate.toJSON());
    else send({ type: 'candidate', candidate: e.candidate.toJSON() });
  };
  const gathered = new Promise<void>((resolve) => {
    pc.onicegatheringstatechange = () => {
      if (pc.iceGatheringState !== 'complete') return;
      void emit('gathering-complete', { session });
      if (cfg.trickle) send({ type: 'end-of-candidates' });
      resolve();
    };
  });
  pc.oniceconnectionstatechange = () => void emit('ice-state', { session, state: pc.iceConnectionState });
  const connected = new Promise<void>((resolve, reject) => {
    pc.onconnectionstatechange = () => {
      void emit('connection-state', { session, state: pc.connectionState });
      if (pc.connectionState === 'connected') {
        void emit('dtls-connected', { session });
        resolve();
      }
      if (pc.connectionState === 'failed') reject(new Error('connection failed'));
    };
  });

  const channel = pc.createDataChannel('telemetry');
  const channelOpen = new Promise<void>((resolve) => (channel.onopen = () => (void emit('datachannel-open', { session }), resolve())));
  let telemetry = false;
  channel.onmessage = (e) => {
    if (telemetry) return;
    telemetry = true;
    void emit('telemetry', { session, sample: JSON.parse(e.data) });
  };
  const transceiver = pc.addTransceiver('video', { direction: 'recvonly' });
  const video = document.createElement('video');
  video.muted = true;
  video.autoplay = true;
  document.body.append(video);
  pc.ontrack = (e) => {
    video.srcObject = new MediaStream([e.track]);
    void video.play().catch(() => {});
  };

  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  if (!cfg.trickle) await gathered;
  const sdp = cfg.trickle ? offer.sdp : pc.localDescription!.sdp;
  await emit('local-description', { session, type: 'offer', sdp });
  send({ type: 'offer', sdp });
  await emit('offer-sent', { session, trickle: cfg.trickle });

  await Promise.race([Promise.all([connected, channelOpen]), whepFailed]);
  // The first decoded frame: a decoder can only start at an IDR with its SPS and PPS.
  for (;;) {
    const stats = [...(await transceiver.receiver.getStats()).values()] as StatsRecord[];
    const inbound = stats.find((s) => s.type === 'inbound-rtp');
    if (inbound && Number(inbound.framesDecoded ?? 0) > 0) {
      await emit('first-frame', { session, width: inbound.frameWidth, height: inbound.frameHeight, decoder: inbound.decoderImplementation });
      break;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  // The hold: decoded frames go to the Node side from now on, which counts them and decides on restarts.
  let reported = await framesDecoded(transceiver.receiver);
  const poll = cfg.hold
    ? setInterval(() => {
        void framesDecoded(transceiver.receiver).then((n) => {
          if (n > reported) void window.labFrames(n - reported);
          reported = Math.max(reported, n);
        });
      }, FRAME_POLL_MS)
    : undefined;
  await settle(pc);
  // One snapshot for both; Chrome reports relayProtocol itself.
  const stats = await statsOf(pc);
  await emit('candidate-pairs', { session, pairs: candidatePairsFromStats(stats) });
  await emit('selected-pair', { session, pair: selectedPairFromStats(stats) });
  const finish = async () => {
    send({ type: 'bye' });
    pc.close();
    await signaling.close(); // WHEP: the DELETE is answered before "done"
    await emit('done', { ok: true });
  };
  if (!cfg.hold) return finish();

  let attempt = 0;
  window.restartViewer = async () => {
    attempt++;
    const mine = attempt;
    // An ICE restart on this connection, as a browser app does: new ICE credentials in a new offer,
    // the same DTLS and media; the camera answers it on its existing connection.
    early = new CandidateQueue<RTCIceCandidateInit>();
    // After a handover the signaling socket is as dead as the media path (its address is gone) and
    // would swallow the offer: a new one first, as an app does (lab protocol; the server replaces
    // the old connection, and the camera answers the same viewer on its connection).
    if (cfg.signaling === 'lab') {
      const old = signaling;
      signaling = await reconnectLabSignaling(cfg, Date.now() + cfg.timeoutMs);
      signaling.onMessage(onSignal);
      old.close();
      await emit('signaling-connected');
    }
    beforeOffer = [];
    pc.restartIce();
    const offer = await pc.createOffer({ iceRestart: true });
    await pc.setLocalDescription(offer);
    if (!cfg.trickle) await gatheringComplete(pc);
    const sdp = cfg.trickle ? offer.sdp : pc.localDescription!.sdp;
    await emit('local-description', { session, type: 'offer', sdp });
    send({ type: 'offer', sdp });
    for (const candidate of beforeOffer.splice(0)) send({ type: 'candidate', candidate });
    beforeOffer = null;
    await emit('offer-sent', { session, trickle: cfg.trickle });
    // Once frames flow again, the pair the call recovered on (unless a newer restart took over).
    const before = reported;
    void (async () => {
      while (mine === attempt && reported <= before) await new Promise((r) => setTimeout(r, FRAME_POLL_MS));
      if (mine !== attempt) return;
      await settle(pc);
      await emit('selected-pair', { session, pair: selectedPairFromStats(await statsOf(pc)) });
    })();
  };
  window.endViewer = async () => {
    clearInterval(poll);
    attempt++;
    await finish();
  };
};

export {};
