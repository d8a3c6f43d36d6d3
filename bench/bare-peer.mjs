// One werift peer of the bare reference (bench/bare-reference.mjs): no lab code. Signaling is
// newline-delimited JSON on stdin/stdout; the parent relays it to the other peer.
// argv: offer|answer; env BARE_TURN=host:port, BARE_USER, BARE_PASS.
import { createInterface } from 'node:readline';
import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket } from 'werift';

const role = process.argv[2];
// Milliseconds since this process started, per stage: the parent prints them.
const marks = { loaded: Math.round(performance.now()) };
const mark = (name) => (marks[name] = Math.round(performance.now()));
const send = (msg) => process.stdout.write(JSON.stringify(msg) + '\n');
const [turnHost, turnPort] = process.env.BARE_TURN.split(':');
const timer = setTimeout(() => {
  send({ type: 'error', message: 'no media within 15 s' });
  process.exit(1);
}, 15_000);

const lines = createInterface({ input: process.stdin });
const messages = [];
let onMessage = null;
lines.on('line', (line) => (onMessage ? onMessage(JSON.parse(line)) : messages.push(JSON.parse(line))));
const listen = (fn) => {
  onMessage = fn;
  for (const m of messages.splice(0)) fn(m);
};

const pc = new RTCPeerConnection({
  iceServers: [
    { urls: `stun:${turnHost}:${turnPort}` },
    { urls: `turn:${turnHost}:${turnPort}?transport=udp`, username: process.env.BARE_USER, credential: process.env.BARE_PASS },
  ],
  bundlePolicy: 'max-bundle',
  iceStunGatherTimeout: 0.5,
});
pc.onIceCandidate.subscribe((c) => c && send({ type: 'candidate', candidate: c.toJSON() }));
// Candidates can arrive before the remote description: they wait for it.
let remoteSet = false;
const early = [];
const addCandidate = (c) => (remoteSet ? pc.addIceCandidate(c).catch(() => {}) : early.push(c));
const setRemote = async (d) => {
  await pc.setRemoteDescription(d);
  remoteSet = true;
  for (const c of early.splice(0)) pc.addIceCandidate(c).catch(() => {});
};

if (role === 'offer') {
  const channel = pc.createDataChannel('data');
  const open = new Promise((resolve) => channel.stateChanged.subscribe((s) => s === 'open' && resolve()));
  const transceiver = pc.addTransceiver('video', { direction: 'recvonly' });
  const media = new Promise((resolve) => transceiver.onTrack.subscribe((track) => track.onReceiveRtp.subscribe(() => resolve())));
  // "start" comes once the TURN server answers: gathering before that would find no server.
  const start = new Promise((resolve) => listen((m) => (m.type === 'start' ? resolve() : m.type === 'answer' ? setRemote(m) : m.type === 'candidate' ? addCandidate(m.candidate) : null)));
  await start;
  mark('start');
  const offer = await pc.createOffer();
  send({ type: 'offer', sdp: offer.sdp });
  pc.setLocalDescription(offer).catch((err) => send({ type: 'error', message: err.message }));
  pc.connectionStateChange.subscribe((s) => s === 'connected' && mark('dtls'));
  pc.iceConnectionStateChange.subscribe((s) => s === 'connected' && mark('ice'));
  await Promise.all([open, media]);
  mark('media');
  const stats = await pc.getStats();
  const pair = [...stats.values()].find((s) => s.type === 'candidate-pair' && s.nominated);
  send({ type: 'done', marks, pair: pair ? { local: pair.localCandidateId, remote: pair.remoteCandidateId } : null });
  clearTimeout(timer);
  await pc.close().catch(() => {});
  process.exit(0);
} else {
  const track = new MediaStreamTrack({ kind: 'video' });
  pc.addTransceiver(track, { direction: 'sendonly' });
  pc.onDataChannel.subscribe(() => {});
  let seq = 0;
  pc.connectionStateChange.subscribe((s) => {
    if (s !== 'connected') return;
    // A fake 30 fps stream: one RTP packet per frame is enough for the offerer's "first media".
    setInterval(() => track.writeRtp(new RtpPacket(new RtpHeader({ sequenceNumber: seq++ & 0xffff, timestamp: seq * 3000, marker: true, payloadType: 96 }), Buffer.alloc(100))), 33);
  });
  listen(async (m) => {
    if (m.type === 'candidate') return addCandidate(m.candidate);
    if (m.type !== 'offer') return;
    await setRemote(m);
    const answer = await pc.createAnswer();
    send({ type: 'answer', sdp: answer.sdp });
    pc.setLocalDescription(answer).catch((err) => send({ type: 'error', message: err.message }));
  });
  process.on('SIGTERM', () => process.exit(0));
}
