/**
 * Kinesis Video Streams signaling for the lab's peers, as the KVS samples do it: DescribeSignalingChannel
 * and GetSignalingChannelEndpoint on the control plane, GetIceServerConfig on the channel's HTTPS
 * endpoint, then the official SDK's SignalingClient on the WSS one, all by the real AWS names
 * (the lab DNS and CA make them the emulator). Translated to the lab's message shapes (Signaling).
 */
import { lookup } from 'node:dns/promises';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SignalingClient as KvsSignalingClient } from 'amazon-kinesis-video-streams-webrtc';
import WebSocket from 'ws';
import type { IceServerConfigResponse } from '../../lab/contract/ice-config.js';
import { emit } from './contract.js';
import { KVS_SDK, missingKvsSdk, type KvsSettings } from './kvs-settings.js';
import { NodeSha256 } from './node-sha256.js';
import { MessageInbox } from './message-inbox.js';
import type { Incoming, Signaling } from './signaling-client.js';
import { dynamicImport } from '../../lab/util/dynamic-import.js';

export { KVS_SDK };

// Node 20 has no global WebSocket: the SDK would throw "WebSocket is not defined" (users do this too).
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

/**
 * The SDK is an optional peer dependency of the lab (only `signaling: kvs` needs it, and it is kept
 * out of the bundles): loaded here, with an error that says what to install when it is missing.
 */
export async function loadKvsSdk(specifier = KVS_SDK): Promise<typeof import('amazon-kinesis-video-streams-webrtc')> {
  try {
    const sdk = await dynamicImport<typeof import('amazon-kinesis-video-streams-webrtc') & { default: typeof import('amazon-kinesis-video-streams-webrtc') }>(specifier);
    return (sdk.SignalingClient ? sdk : sdk.default) as typeof import('amazon-kinesis-video-streams-webrtc');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND' || !(err as Error).message.includes(specifier)) throw err;
    throw missingKvsSdk();
  }
}

/** An AWS error answer (status + x-amzn-errortype): final, unlike a service that is not up yet. */
class AwsCallError extends Error {}

/** One SigV4-signed JSON POST, retried while the endpoint is not reachable yet (the lab starts peers early). */
async function awsPost(s: KvsSettings, endpoint: string, path: string, body: unknown, deadlineMs: number): Promise<Record<string, unknown>> {
  const url = new URL(path, endpoint);
  const text = JSON.stringify(body);
  for (let attempt = 1; ; attempt++) {
    const signer = new SignatureV4({ service: 'kinesisvideo', region: s.region, credentials: s.credentials, sha256: NodeSha256 as never });
    const signed = await signer.sign({ method: 'POST', protocol: url.protocol, hostname: url.host, path: url.pathname, headers: { host: url.host, 'content-type': 'application/json' }, body: text });
    try {
      const res = await fetch(url, { method: 'POST', headers: signed.headers, body: text, signal: AbortSignal.timeout(5000) });
      const answer = (await res.json().catch(() => ({}))) as Record<string, unknown>;
      if (!res.ok) throw new AwsCallError(`${url.origin}${path}: HTTP ${res.status} ${res.headers.get('x-amzn-errortype') ?? ''}: ${String(answer.Message ?? answer.message ?? '')}`);
      return answer;
    } catch (err) {
      if (err instanceof AwsCallError || Date.now() > deadlineMs) throw err instanceof AwsCallError ? err : new Error(`${url.origin}${path}: ${(err as Error).message} ${String((err as { cause?: Error }).cause?.message ?? '')} (after ${attempt} attempt(s))`);
      await new Promise((r) => setTimeout(r, Math.min(50 * attempt, 250)));
    }
  }
}

/** One KVS step for the timeline and --explain (the same `signaling-step` event as MQTT and WHEP), with its values. */
function step(name: string, values: Record<string, unknown>, detail: string): void {
  emit('signaling-step', { protocol: 'kvs', step: name, detail, ...values });
}

/**
 * Connects as MASTER (clientId null) or VIEWER. A viewer's messages all come from the master:
 * they are labelled `from: masterLabel` for the lab's code.
 */
export async function connectKvs(s: KvsSettings, role: 'MASTER' | 'VIEWER', clientId: string | null, masterLabel: string, deadlineMs: number): Promise<Signaling> {
  const { Role, SignalingClient } = await loadKvsSdk();
  const control = `https://kinesisvideo.${s.region}.amazonaws.com`;
  const described = await awsPost(s, control, '/describeSignalingChannel', { ChannelName: s.channel }, deadlineMs);
  const channelARN = (described.ChannelInfo as { ChannelARN: string }).ChannelARN;
  step('DescribeSignalingChannel', { channel: s.channel, channelARN, endpoint: control }, `called DescribeSignalingChannel ${s.channel} on ${control} (SigV4-signed JSON POST, service kinesisvideo): ${channelARN}`);
  const endpoints = await awsPost(s, control, '/getSignalingChannelEndpoint', { ChannelARN: channelARN, SingleMasterChannelEndpointConfiguration: { Protocols: ['WSS', 'HTTPS'], Role: role } }, deadlineMs);
  const list = endpoints.ResourceEndpointList as { Protocol: string; ResourceEndpoint: string }[];
  const wss = list.find((e) => e.Protocol === 'WSS')?.ResourceEndpoint;
  const https = list.find((e) => e.Protocol === 'HTTPS')?.ResourceEndpoint;
  if (!wss || !https) throw new Error(`GetSignalingChannelEndpoint gave no WSS or HTTPS endpoint: ${JSON.stringify(list)}`);
  step('GetSignalingChannelEndpoint', { role, wss, https }, `called GetSignalingChannelEndpoint (${role}): ${wss}, ${https} (on 443 without a port: the C SDK refuses a port)`);

  const stunName = `stun.kinesisvideo.${s.region}.amazonaws.com`;
  const fetchIceConfig = async (session?: string): Promise<IceServerConfigResponse> => {
    const [ice, stun] = await Promise.all([awsPost(s, https, '/v1/get-ice-server-config', { ChannelARN: channelARN, ClientId: clientId ?? 'MASTER', Service: 'TURN' }, deadlineMs), lookup(stunName, { family: 4 })]);
    const iceServerList = ice.IceServerList as IceServerConfigResponse['IceServerList'];
    // werift wants an address: the name is resolved here, through the lab DNS, as a browser would.
    const stunUri = `stun:${stun.address}:443`;
    const uris = iceServerList.flatMap((i) => i.Uris);
    step(
      'GetIceServerConfig',
      { ...(session ? { session } : {}), clientId: clientId ?? 'MASTER', stun: `stun:${stunName}:443`, stunAddress: stun.address, uris, ttl: iceServerList[0]?.Ttl },
      `called GetIceServerConfig: ${uris.join(', ') || '(no TURN)'}; STUN stun:${stunName}:443, the name the SDKs hard-code (-> ${stun.address}, coturn, through the lab DNS)`,
    );
    return { IceServerList: iceServerList, StunUris: [stunUri] };
  };

  const client = new SignalingClient({ channelARN, channelEndpoint: wss, ...(clientId ? { clientId } : {}), role: role === 'MASTER' ? Role.MASTER : Role.VIEWER, region: s.region, credentials: s.credentials, systemClockOffset: 0 });
  const signaling = new KvsAdapter(client, role, masterLabel, fetchIceConfig);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`KVS signaling ${wss}: not open within the deadline`)), Math.max(1000, deadlineMs - Date.now()));
    client.once('open', () => {
      clearTimeout(timer);
      resolve();
    });
    client.once('error', (err: Error) => {
      clearTimeout(timer);
      reject(new Error(`KVS signaling ${wss}: ${err.message}`));
    });
    client.open();
  });
  step(role === 'MASTER' ? 'ConnectAsMaster' : 'ConnectAsViewer', { role, clientId: clientId ?? 'MASTER', wss }, `opened the channel's WebSocket (SigV4-presigned URL${clientId ? `, X-Amz-ClientId ${clientId}` : ', as master'}; the emulator checks the signature on the upgrade: 403 if bad or expired): ${wss}`);
  return signaling;
}

class KvsAdapter implements Signaling {
  private readonly inbox = new MessageInbox<Incoming>();
  private closing = false;

  constructor(
    private client: KvsSignalingClient,
    private role: 'MASTER' | 'VIEWER',
    masterLabel: string,
    /** GetIceServerConfig for this client, plus the STUN server the SDK samples hard-code. */
    readonly iceConfig: (session?: string) => Promise<IceServerConfigResponse>,
  ) {
    const from = (sender?: string) => (role === 'VIEWER' ? masterLabel : (sender ?? 'MASTER'));
    client.on('sdpOffer', (d: { sdp: string }, sender?: string) => this.receive({ type: 'offer', from: from(sender), sdp: d.sdp }));
    client.on('sdpAnswer', (d: { sdp: string }, sender?: string) => this.receive({ type: 'answer', from: from(sender), sdp: d.sdp }));
    client.on('iceCandidate', (c: Record<string, unknown>, sender?: string) => this.receive({ type: 'candidate', from: from(sender), candidate: c }));
    client.on('statusResponse', (r: Record<string, unknown>) => emit('signaling-error', { code: r.errorType, message: r.description }));
    client.on('error', (err: Error) => emit('signaling-error', { code: 'kvs', message: err.message }));
    client.on('close', () => this.closing || emit('signaling-closed', { code: 0, reason: 'KVS signaling closed' }));
  }

  private receive(msg: Incoming): void {
    this.inbox.deliver(msg);
  }

  onMessage(handler: (msg: Incoming) => void): void {
    this.inbox.onMessage(handler);
  }

  /** The lab's messages to the SDK's calls; `end-of-candidates` and `bye` have no KVS message. */
  send(msg: Record<string, unknown>): void {
    const to = this.role === 'MASTER' ? (msg.to as string) : undefined;
    if (msg.type === 'offer') this.client.sendSdpOffer({ type: 'offer', sdp: msg.sdp as string } as never, to);
    else if (msg.type === 'answer') this.client.sendSdpAnswer({ type: 'answer', sdp: msg.sdp as string } as never, to);
    else if (msg.type === 'candidate') this.client.sendIceCandidate(msg.candidate as never, to);
  }

  close(): void {
    this.closing = true;
    this.client.close();
  }
}
