// A Kinesis Video Streams WebRTC peer written only against the official SDKs, as an app that ships
// on a device would be: the AWS SDK v3 clients for the control plane and GetIceServerConfig, the
// KVS WebRTC SDK's SignalingClient for the signaling channel, node-datachannel's RTCPeerConnection
// for WebRTC. It knows nothing of any lab: it calls the real AWS names with the credentials in its
// environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), opens a data channel, exchanges a few
// messages, prints "done" and exits 0.
//
//   node kvs-peer.mjs --role master|viewer --channel NAME [--region us-west-2] [--client-id viewer-1] [--messages 5] [--timeout 25000]
import { DescribeSignalingChannelCommand, GetSignalingChannelEndpointCommand, KinesisVideoClient } from '@aws-sdk/client-kinesis-video';
import { GetIceServerConfigCommand, KinesisVideoSignalingClient } from '@aws-sdk/client-kinesis-video-signaling';
import kvs from 'amazon-kinesis-video-streams-webrtc';
import { RTCPeerConnection } from 'node-datachannel/polyfill';
import WebSocket from 'ws';

// Node 20 has no global WebSocket; the SDK's SignalingClient needs one.
globalThis.WebSocket ??= WebSocket;

const { SignalingClient, Role } = kvs;
const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const role = args.role;
if (role !== 'master' && role !== 'viewer') die('give --role master or --role viewer');
if (!args.channel) die('give --channel NAME');
const region = args.region ?? process.env.AWS_REGION ?? 'us-west-2';
const clientId = args['client-id'] ?? 'viewer-1';
const messages = Number(args.messages ?? 5);
const credentials = { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY };
if (!credentials.accessKeyId || !credentials.secretAccessKey) die('set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
const log = (line) => console.log(`[${role}] ${line}`);

/** libdatachannel exits cleanly only this way (its threads outlive a normal cleanup). */
function die(message) {
  console.error(`[${role ?? 'peer'}] error: ${message}`);
  process.exit(1);
}
setTimeout(() => die(`not done within ${args.timeout ?? 25000} ms`), Number(args.timeout ?? 25000)).unref();

// 1. The control plane: the channel's ARN, then this role's endpoints.
const kinesisVideo = new KinesisVideoClient({ region, credentials });
const { ChannelInfo } = await kinesisVideo.send(new DescribeSignalingChannelCommand({ ChannelName: args.channel }));
const channelARN = ChannelInfo.ChannelARN;
log(`channel ${args.channel} is ${channelARN}`);
const { ResourceEndpointList } = await kinesisVideo.send(
  new GetSignalingChannelEndpointCommand({ ChannelARN: channelARN, SingleMasterChannelEndpointConfiguration: { Protocols: ['WSS', 'HTTPS'], Role: role === 'master' ? Role.MASTER : Role.VIEWER } }),
);
const endpoint = (protocol) => ResourceEndpointList.find((e) => e.Protocol === protocol).ResourceEndpoint;
log(`endpoints ${endpoint('WSS')} ${endpoint('HTTPS')}`);

// 2. ICE servers: the STUN host the KVS samples use, and TURN from GetIceServerConfig.
const signalingApi = new KinesisVideoSignalingClient({ region, credentials, endpoint: endpoint('HTTPS') });
const { IceServerList } = await signalingApi.send(new GetIceServerConfigCommand({ ChannelARN: channelARN, ClientId: role === 'master' ? undefined : clientId }));
// libjuice relays over UDP only: keep the UDP TURN URIs.
const iceServers = [
  { urls: `stun:stun.kinesisvideo.${region}.amazonaws.com:443` },
  ...IceServerList.map((s) => ({ urls: s.Uris.filter((u) => u.startsWith('turn:') && !u.includes('transport=tcp')), username: s.Username, credential: s.Password })).filter((s) => s.urls.length),
];
log(`ICE servers ${iceServers.flatMap((s) => s.urls).join(' ')}`);

// 3. The signaling channel (SigV4-presigned WSS), as the SDK's samples open it.
const signaling = new SignalingClient({ channelARN, channelEndpoint: endpoint('WSS'), role: role === 'master' ? Role.MASTER : Role.VIEWER, ...(role === 'viewer' ? { clientId } : {}), region, credentials, systemClockOffset: 0 });
signaling.on('error', (err) => log(`signaling error: ${err.message}`));
signaling.on('statusResponse', (s) => log(`status response: ${JSON.stringify(s)}`));

if (role === 'master') {
  // One peer connection per viewer client id.
  const peers = new Map();
  signaling.on('sdpOffer', async (offer, remoteClientId) => {
    log(`offer from ${remoteClientId}`);
    peers.get(remoteClientId)?.close();
    const pc = new RTCPeerConnection({ iceServers });
    peers.set(remoteClientId, pc);
    pc.onicecandidate = ({ candidate }) => candidate && signaling.sendIceCandidate(candidate, remoteClientId);
    pc.ondatachannel = ({ channel }) => {
      channel.onmessage = ({ data }) => {
        if (data === 'bye') {
          log(`done (${remoteClientId} said bye)`);
          setTimeout(() => process.exit(0), 200);
        } else channel.send(`pong ${String(data).split(' ')[1]}`);
      };
    };
    await pc.setRemoteDescription(offer);
    await pc.setLocalDescription(await pc.createAnswer());
    signaling.sendSdpAnswer(pc.localDescription, remoteClientId);
  });
  signaling.on('iceCandidate', (candidate, remoteClientId) => peers.get(remoteClientId)?.addIceCandidate(candidate).catch((err) => log(`candidate: ${err.message}`)));
  signaling.on('open', () => log('connected as master'));
} else {
  // The peer connection once the channel is open: libdatachannel gathers as soon as a data channel
  // exists, and the SDK cannot send a candidate before then.
  signaling.on('open', async () => {
    log(`connected as viewer ${clientId}`);
    const pc = new RTCPeerConnection({ iceServers });
    pc.onicecandidate = ({ candidate }) => candidate && signaling.sendIceCandidate(candidate);
    signaling.on('sdpAnswer', (answer) => pc.setRemoteDescription(answer));
    signaling.on('iceCandidate', (candidate) => pc.addIceCandidate(candidate).catch((err) => log(`candidate: ${err.message}`)));
    const channel = pc.createDataChannel('kvs-app');
    let pongs = 0;
    channel.onopen = () => {
      log('data channel open');
      for (let i = 1; i <= messages; i++) channel.send(`ping ${i}`);
    };
    channel.onmessage = () => {
      if (++pongs < messages) return;
      channel.send('bye');
      log(`done (${pongs} pongs)`);
      setTimeout(() => process.exit(0), 500);
    };
    await pc.setLocalDescription(await pc.createOffer());
    signaling.sendSdpOffer(pc.localDescription);
  });
}
signaling.open();
