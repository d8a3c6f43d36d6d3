/**
 * The Chromium viewer's page (bundled for the browser, served by the lab's services): the same
 * viewer as peers/viewer.ts, on the browser's own WebRTC stack (libwebrtc). Events go to the
 * Node side through window.labEmit, which stamps and prints them (peers/README.md).
 */
interface ViewerConfig {
  peerId: string;
  room: string;
  token: string;
  remote: string;
  signalingUrl: string;
  iceConfigUrl: string;
  icePolicy: RTCIceTransportPolicy;
  turnTransports: ('udp' | 'tcp' | 'tls')[];
  trickle: boolean;
}

type Emit = (event: string, fields?: Record<string, unknown>) => Promise<void>;
declare global {
  interface Window {
    labEmit: Emit;
    startViewer(cfg: ViewerConfig): Promise<void>;
  }
}

const transportOf = (uri: string) => (uri.startsWith('turns:') ? 'tls' : /[?&]transport=tcp\b/.test(uri) ? 'tcp' : 'udp');

async function iceServers(cfg: ViewerConfig): Promise<RTCIceServer[]> {
  const res = await fetch(`${cfg.iceConfigUrl}?room=${encodeURIComponent(cfg.room)}&peer=${encodeURIComponent(cfg.peerId)}`, { headers: { authorization: `Bearer ${cfg.token}` } });
  if (!res.ok) throw new Error(`ICE config: HTTP ${res.status}`);
  const config = (await res.json()) as { IceServerList: { Uris: string[]; Username: string; Password: string }[]; StunUris: string[] };
  const turn = config.IceServerList[0];
  const servers: RTCIceServer[] = config.StunUris.map((urls) => ({ urls }));
  for (const t of cfg.turnTransports) {
    const uri = turn?.Uris.find((u) => transportOf(u) === t);
    if (uri) servers.push({ urls: uri, username: turn.Username, credential: turn.Password });
  }
  return servers;
}

function connectSignaling(cfg: ViewerConfig): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${cfg.signalingUrl}?room=${encodeURIComponent(cfg.room)}&peer=${encodeURIComponent(cfg.peerId)}&token=${encodeURIComponent(cfg.token)}`);
    ws.onopen = () => resolve(ws);
    ws.onerror = () => reject(new Error(`signaling ${cfg.signalingUrl}: connection failed`));
  });
}

type StatsRecord = Record<string, unknown> & { id: string; type: string };

async function selectedPair(pc: RTCPeerConnection) {
  const stats = [...(await pc.getStats()).values()] as StatsRecord[];
  const transport = stats.find((s) => s.type === 'transport' && s.selectedCandidatePairId);
  const pair = stats.find((s) => s.id === transport?.selectedCandidatePairId);
  if (!pair) return null;
  const end = (id: unknown) => {
    const c = stats.find((s) => s.id === id) ?? ({} as StatsRecord);
    return { candidateType: String(c.candidateType ?? 'unknown'), protocol: String(c.protocol ?? ''), address: String(c.address ?? c.ip ?? ''), port: Number(c.port ?? 0), relayProtocol: (c.relayProtocol as string | undefined) ?? null };
  };
  const rtt = pair.currentRoundTripTime as number | undefined;
  return { local: end(pair.localCandidateId), remote: end(pair.remoteCandidateId), rttMs: rtt === undefined ? null : Math.round(rtt * 10000) / 10 };
}

/**
 * libwebrtc selects the first pair that works and switches when a better one starts working a
 * moment later; the pair that carries the session is the one it settles on (the same for 500 ms,
 * waiting 2 s at most), not the one in use at the first frame.
 */
async function settle(pc: RTCPeerConnection): Promise<void> {
  const selectedId = async () => {
    const stats = [...(await pc.getStats()).values()] as StatsRecord[];
    return stats.find((s) => s.type === 'transport' && s.selectedCandidatePairId)?.selectedCandidatePairId;
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

async function candidatePairs(pc: RTCPeerConnection) {
  const stats = [...(await pc.getStats()).values()] as StatsRecord[];
  const end = (id: unknown) => {
    const c = stats.find((s) => s.id === id) ?? ({} as StatsRecord);
    return { candidateType: String(c.candidateType ?? 'unknown'), protocol: String(c.protocol ?? ''), address: String(c.address ?? c.ip ?? ''), port: Number(c.port ?? 0), relayProtocol: (c.relayProtocol as string | undefined) ?? null };
  };
  return stats
    .filter((s) => s.type === 'candidate-pair')
    .map((p) => ({ local: end(p.localCandidateId), remote: end(p.remoteCandidateId), state: String(p.state), nominated: Boolean(p.nominated), requestsSent: (p.requestsSent as number) ?? null, responsesReceived: (p.responsesReceived as number) ?? null }));
}

window.startViewer = async (cfg: ViewerConfig) => {
  const emit = window.labEmit;
  const session = cfg.remote;
  const ws = await connectSignaling(cfg);
  await emit('signaling-connected');
  const servers = await iceServers(cfg);
  await emit('ice-config-fetched', { iceServers: servers.map((s) => s.urls) });

  const pc = new RTCPeerConnection({ iceServers: servers, iceTransportPolicy: cfg.icePolicy, bundlePolicy: 'max-bundle' });
  const send = (msg: Record<string, unknown>) => ws.send(JSON.stringify({ ...msg, to: cfg.remote }));
  let haveAnswer = false;
  const early: RTCIceCandidateInit[] = [];
  ws.onmessage = async (e) => {
    const msg = JSON.parse(e.data);
    if (msg.from !== cfg.remote) return;
    if (msg.type === 'answer') {
      await emit('answer-received', { session });
      await pc.setRemoteDescription({ type: 'answer', sdp: msg.sdp });
      haveAnswer = true;
      // Chrome rejects candidates that arrive before the remote description: they waited here.
      for (const c of early.splice(0)) await pc.addIceCandidate(c);
    } else if (msg.type === 'candidate') {
      await emit('remote-candidate', { session, candidate: msg.candidate.candidate });
      if (haveAnswer) await pc.addIceCandidate(msg.candidate);
      else early.push(msg.candidate);
    }
  };
  pc.onicecandidate = (e) => {
    if (!e.candidate) return;
    void emit('local-candidate', { session, candidate: e.candidate.candidate });
    if (cfg.trickle) send({ type: 'candidate', candidate: e.candidate.toJSON() });
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

  await Promise.all([connected, channelOpen]);
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
  await settle(pc);
  await emit('candidate-pairs', { session, pairs: await candidatePairs(pc) });
  await emit('selected-pair', { session, pair: await selectedPair(pc) });
  send({ type: 'bye' });
  pc.close();
  ws.close();
  await emit('done', { ok: true });
};

export {};
