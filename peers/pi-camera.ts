/**
 * Raspberry Pi camera emulation source (werift), behaving like a Pi running a WebRTC camera app or
 * the KVS WebRTC C SDK as "master": it answers each viewer's offer with its own peer connection,
 * fetches fresh TURN credentials before each, streams a pre-encoded H.264 constrained-baseline
 * clip (SPS/PPS before every IDR) and sends telemetry on the viewer's datachannel.
 * Contract and settings: peers/README.md.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MediaStreamTrack, RtpHeader, RtpPacket } from 'werift';
import { CandidateQueues } from '../lab/contract/candidate-queue.js';
import { commonConfig, emit, envChoice, envNumber, fail, requireEnv } from './lib/contract.js';
import { accessUnits, packetize, profileLevelId, splitAnnexB, type AccessUnit } from './lib/h264.js';
import { fetchIceConfig, iceServersFor } from './lib/ice-servers.js';
import { runCamera } from './lib/camera-main.js';
import type { PeerSignaling } from './lib/signaling-client.js';
import { directHttp, serveTunnel } from './lib/http-tunnel.js';
import { SignalingClient, type Signaling } from './lib/signaling-client.js';
import { whepServer } from './lib/whep-server.js';
import { WeriftSession } from './lib/werift-session.js';
import { advertiseServerReflexive, sdpOrigin, startRestartedChecks } from './lib/werift-ice-restart.js';

const PROFILES = {
  kvs: { file: 'kvs-720p25.h264', fps: 25, width: 1280, height: 720 },
  pi: { file: 'pi-480p30.h264', fps: 30, width: 640, height: 480 },
} as const;

const cfg = commonConfig();
const profileName = envChoice('LAB_PROFILE', ['kvs', 'pi'] as const, 'kvs');
const profile = PROFILES[profileName];
/** lab, mqtt and kvs: runCamera (lib/camera-main.ts); whep: a WHEP server on LAB_WHEP_PORT, as pi-webrtc's --http-port. */
const protocol = envChoice('LAB_SIGNALING', ['lab', 'mqtt', 'whep', 'kvs'] as const, 'lab');
const whepPort = envNumber('LAB_WHEP_PORT', 8080);
const nals = splitAnnexB(readFileSync(join(requireEnv('LAB_MEDIA_DIR'), profile.file)));
const clip = accessUnits(nals);
const plid = profileLevelId(nals);
emit('started', { peer: cfg.peerId, stack: 'werift', role: 'camera', profile: profileName, profileLevelId: plid, frames: clip.length, fps: profile.fps, codec: 'H264' });

const sessions = new Map<string, WeriftSession>();
/** The SDP session id (o= line) of each viewer's connection: a re-offer keeps it, a new connection does not. */
const sdpSessions = new Map<string, string>();
/** Candidates that arrive before a viewer's session exists (before or while it is answered) wait here. */
const early = new CandidateQueues<Record<string, unknown>>();

async function main(): Promise<void> {
  if (protocol === 'whep') return serveWhep();
  await runCamera(cfg, { answer, early, leave });
}

async function leave(viewer: string): Promise<void> {
  emit('viewer-left', { session: viewer });
  await sessions.get(viewer)?.pc.close().catch(() => {});
  sessions.delete(viewer);
  sdpSessions.delete(viewer);
  early.delete(viewer);
}

/**
 * WHEP as pi-webrtc serves it, on this host's port. The camera is behind its NAT: viewers reach
 * the port through the tunnel it opens outward to the lab's relay (peers/lib/http-tunnel.ts), so
 * its NAT needs no port forward and the media path is traversed as without WHEP.
 */
async function serveWhep(): Promise<void> {
  /** Resource id -> the viewer's name (the session label in events). */
  const labels = new Map<string, string>();
  const server = whepServer(
    {
      offer: (id, sdp, label) =>
        new Promise<string>((resolve, reject) => {
          labels.set(id, label);
          emit('signaling-step', { protocol: 'whep', step: 'POST', session: label, resource: id, detail: `took a WHEP POST (the offer) as resource /resource/${id}; it answers once every candidate is gathered` });
          // The answer is the POST's body: candidates trickled on their own are dropped (the answer has them all).
          const reply: Signaling = { send: (msg) => msg.type === 'answer' && resolve(String(msg.sdp)), onMessage: () => {}, close: () => {} };
          answer(reply, label, sdp).catch(reject);
        }),
      candidates: async (id, candidates) => {
        const label = labels.get(id)!;
        for (const c of candidates) await early.of(label).add({ candidate: c.candidate, sdpMid: c.sdpMid });
      },
      restart: async () => null,
      remove: async (id) => {
        const label = labels.get(id)!;
        labels.delete(id);
        await leave(label);
      },
    },
    (entry) => entry.level !== 'info' && emit('warning', { message: `whep: ${JSON.stringify(entry)}` }),
  );
  // Listen before the tunnel opens: a viewer's first request may be waiting in the relay.
  await server.listen(whepPort, '0.0.0.0');
  emit('signaling-step', { protocol: 'whep', step: 'listen', port: whepPort, detail: `serves WHEP on port ${whepPort} of its own host (POST /whep), reached through the tunnel it opens outward to the lab's relay` });
  const relay = await SignalingClient.connect(`${cfg.signalingUrl}?room=${cfg.room}&peer=${cfg.peerId}&token=${cfg.token}`, Date.now() + cfg.timeoutMs);
  emit('signaling-connected');
  serveTunnel(relay, directHttp(`http://127.0.0.1:${whepPort}`, cfg.timeoutMs));
}

async function answer(signaling: Signaling, viewer: string, sdp: string): Promise<void> {
  // Synchronously, before the next message (see CandidateQueues.forNewSession).
  const candidates = early.forNewSession(viewer);
  emit('offer-received', { session: viewer });
  const existing = sessions.get(viewer);
  const sdpSession = sdpSessionId(sdp);
  if (existing && sdpSession !== null && sdpSessions.get(viewer) === sdpSession) return reanswer(existing, sdp, candidates);
  if (sdpSession !== null) sdpSessions.set(viewer, sdpSession);
  // As the KVS master does: fresh TURN credentials before each connection.
  const iceConfig = await (signaling.iceConfig?.(viewer) ?? fetchIceConfig(cfg));
  const iceServers = iceServersFor(iceConfig, cfg.turnTransports);
  emit('ice-config-fetched', { session: viewer, iceServers: iceServers.map((s) => s.urls), ttl: iceConfig.IceServerList[0]?.Ttl });
  const session = new WeriftSession({ cfg, iceServers, remote: viewer, signaling, profileLevelId: plid });
  // A new offer from a viewer that has a session is its restart (a new connection): the old one goes.
  const previous = sessions.get(viewer);
  sessions.set(viewer, session);
  if (previous) void previous.pc.close().catch(() => {});
  const track = new MediaStreamTrack({ kind: 'video' });
  const transceiver = session.pc.addTransceiver(track, { direction: 'sendonly' });
  session.pc.ondatachannel = ({ channel }) => {
    channel.stateChanged.subscribe((s) => s === 'open' && emit('datachannel-open', { session: viewer }));
    const start = Date.now();
    const timer = setInterval(() => {
      if (channel.readyState !== 'open') return;
      channel.send(JSON.stringify({ device: cfg.peerId, profile: profileName, fps: profile.fps, width: profile.width, height: profile.height, uptimeMs: Date.now() - start, framesSent: stats.framesSent }));
    }, 200);
    channel.stateChanged.subscribe((s) => s === 'closed' && clearInterval(timer));
  };
  await session.setRemote('offer', sdp);
  await candidates.open((c) => session.addCandidate(c));
  // werift starts its connectivity checks only once gathering is over: answering earlier would
  // let the viewer check (and win with a relay pair) before the camera has punched any hole.
  await session.sendLocalDescription('answer', { afterGathering: true });
  const stats = { framesSent: 0 };
  session.connected.then(async () => {
    emit('media-started', { session: viewer });
    stream(track, session, stats, transceiver.sender.onPictureLossIndication);
    await session.reportSelectedPair();
  });
}

/** The session id of an SDP's o= line (RFC 4566), which a renegotiation of the same connection keeps (RFC 3264 8). */
const sdpSessionId = (sdp: string) => sdpOrigin(sdp)?.sessionId ?? null;

/**
 * A re-offer on the viewer's existing connection (a browser's restartIce()): werift restarts its
 * ICE agent when the offer carries new ICE credentials and keeps DTLS, SCTP and the media stream;
 * the answer carries the new credentials and candidates.
 */
async function reanswer(session: WeriftSession, sdp: string, candidates: ReturnType<typeof early.forNewSession>): Promise<void> {
  const viewer = session.remote;
  await session.setRemote('offer', sdp);
  await candidates.open((c) => session.addCandidate(c));
  // The restarted agent's server-reflexive candidate, which werift leaves out (werift-ice-restart.ts).
  const srflx = advertiseServerReflexive(session.pc, 500);
  const reconnected = new Promise<void>((resolve) => {
    const sub = session.pc.iceConnectionStateChange.subscribe((state) => {
      if (state !== 'connected') return;
      sub.unSubscribe();
      resolve();
    });
  });
  await session.sendLocalDescription('answer', { afterGathering: true });
  await srflx;
  // werift 0.25.2 would run no checks after a restart (werift-ice-restart.ts): start them.
  startRestartedChecks(session.pc, (err) => emit('warning', { session: viewer, message: `ICE restart: ${err.message}` }));
  void reconnected.then(() => session.reportSelectedPair());
}

/** Sends the clip in a loop at its frame rate; RTP timestamps on the 90 kHz clock. */
function stream(track: MediaStreamTrack, session: WeriftSession, stats: { framesSent: number }, pli: { subscribe(fn: () => void): unknown }): void {
  let seq = Math.floor(Math.random() * 65536);
  let index = 0;
  // A picture-loss indication makes the camera jump to its next IDR at once (the clip's start).
  pli.subscribe(() => {
    emit('pli-received', { session: session.remote });
    index = 0;
  });
  const ticks = 90000 / profile.fps;
  let timestamp = Math.floor(Math.random() * 2 ** 32);
  const sendFrame = (unit: AccessUnit) => {
    const payloads = packetize(unit);
    payloads.forEach((payload, i) => {
      const header = new RtpHeader({ sequenceNumber: seq, timestamp, marker: i === payloads.length - 1, payloadType: 96 });
      track.writeRtp(new RtpPacket(header, Buffer.from(payload)));
      seq = (seq + 1) & 0xffff;
    });
    timestamp = (timestamp + ticks) >>> 0;
    stats.framesSent++;
  };
  const timer = setInterval(() => {
    if (session.pc.connectionState === 'closed' || session.pc.connectionState === 'failed') return clearInterval(timer);
    sendFrame(clip[index]);
    index = (index + 1) % clip.length;
  }, 1000 / profile.fps);
  sendFrame(clip[index++]);
}

process.on('SIGTERM', async () => {
  for (const s of sessions.values()) await s.pc.close().catch(() => {});
  emit('done', { ok: true, sessions: sessions.size });
  process.stdout.write('', () => process.exit(0));
});

main().catch((err: Error) => fail(err.message));
