/**
 * Kinesis Video Streams signaling in the Chromium viewer's page, as the KVS browser samples do it:
 * the AWS SDK for the control plane (DescribeSignalingChannel, GetSignalingChannelEndpoint, then
 * GetIceServerConfig on the channel's HTTPS endpoint), signed with SigV4 in the page by the SDK's
 * own signer; then the official KVS SDK's browser build (window.KVSWebRTC, from its
 * dist/kvs-webrtc.min.js) as VIEWER on the channel's presigned WSS endpoint. All by the real AWS
 * names: the lab DNS makes them the emulator, which answers the page's CORS preflights.
 * Bundled for the browser apart from the viewer page (dist/peers/chromium-kvs-page.js), loaded only
 * for `signaling: kvs`; it sets window.labKvs.
 */
import { DescribeSignalingChannelCommand, GetSignalingChannelEndpointCommand, KinesisVideoClient } from '@aws-sdk/client-kinesis-video';
import { GetIceServerConfigCommand, KinesisVideoSignalingClient } from '@aws-sdk/client-kinesis-video-signaling';
import type * as KvsSdk from 'amazon-kinesis-video-streams-webrtc';
import type { EventFields, EventName } from '../../lab/contract/events.js';
import type { IceServerConfigResponse } from '../../lab/contract/ice-config.js';
import type { KvsSettings } from '../lib/kvs-settings.js';
import { MessageInbox } from '../lib/message-inbox.js';
import type { Incoming, Signaling } from '../lib/signaling-client.js';

/** The scenario's `kvs:` as the page gets it (LAB_KVS_*). */
export type PageKvsSettings = KvsSettings;

export interface PageKvsSide {
  /** The viewer's client id (its peer id). */
  clientId: string;
  /** The lab's name of the camera: the sender of everything the master sends. */
  masterLabel: string;
  deadlineMs: number;
}

type Emit = <N extends EventName>(event: N, fields?: EventFields<N>) => Promise<void>;

declare global {
  interface Window {
    /** The official KVS SDK's browser build. */
    KVSWebRTC?: typeof KvsSdk;
    labKvs?: { connect: typeof connectKvsViewer };
  }
}

/** After this long of failing fetches a call says so once (the service may just not be up yet before). */
const SLOW_CALL_MS = 2000;

/**
 * An AWS answer (an HTTP status from the service) is final; anything else is retried to the deadline:
 * the emulator may not be up yet, and a CORS refusal looks the same to the page ("Failed to fetch";
 * only the browser console, the viewer's stderr, tells them apart), so a call that keeps failing warns.
 */
async function call<T>(what: string, deadlineMs: number, warn: (message: string) => void, send: () => Promise<T>): Promise<T> {
  const started = Date.now();
  let warned = false;
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      const e = err as Error & { $metadata?: { httpStatusCode?: number } };
      const status = e.$metadata?.httpStatusCode;
      if (status !== undefined) throw new Error(`${what}: HTTP ${status} ${e.name}: ${e.message}`);
      if (Date.now() > deadlineMs) throw new Error(`${what}: ${e.message} (after ${attempt} attempt(s))`);
      if (!warned && Date.now() - started > SLOW_CALL_MS) {
        warned = true;
        warn(`KVS ${what}: ${e.message} for ${Date.now() - started} ms (${attempt} attempts), still trying: the emulator is not reachable, or the browser refused its CORS answer (the page's console, in the viewer's stderr, says which)`);
      }
      await new Promise((r) => setTimeout(r, Math.min(50 * attempt, 250)));
    }
  }
}

export async function connectKvsViewer(s: PageKvsSettings, side: PageKvsSide, emit: Emit): Promise<Signaling> {
  const kvs = window.KVSWebRTC;
  if (!kvs) throw new Error('signaling: kvs: the KVS SDK\'s browser build (window.KVSWebRTC) is not loaded in the page');
  const step = (name: string, values: Record<string, unknown>, detail: string) => emit('signaling-step', { protocol: 'kvs', step: name, detail, ...values });
  // One attempt per call: retries are ours (call()), to the run's deadline.
  const common = { region: s.region, credentials: s.credentials, maxAttempts: 1 };
  const warn = (message: string) => void emit('warning', { message });
  const control = new KinesisVideoClient(common);
  const controlUrl = `https://kinesisvideo.${s.region}.amazonaws.com`;

  const described = await call('DescribeSignalingChannel', side.deadlineMs, warn, () => control.send(new DescribeSignalingChannelCommand({ ChannelName: s.channel })));
  const channelARN = described.ChannelInfo?.ChannelARN;
  if (!channelARN) throw new Error(`DescribeSignalingChannel ${s.channel}: no ChannelARN in the answer`);
  await step('DescribeSignalingChannel', { channel: s.channel, channelARN, endpoint: controlUrl }, `called DescribeSignalingChannel ${s.channel} on ${controlUrl} (AWS SDK in the page, SigV4-signed JSON POST, service kinesisvideo, after a CORS preflight): ${channelARN}`);
  const endpoints = await call('GetSignalingChannelEndpoint', side.deadlineMs, warn, () =>
    control.send(new GetSignalingChannelEndpointCommand({ ChannelARN: channelARN, SingleMasterChannelEndpointConfiguration: { Protocols: ['WSS', 'HTTPS'], Role: 'VIEWER' } })),
  );
  const list = endpoints.ResourceEndpointList ?? [];
  const wss = list.find((e) => e.Protocol === 'WSS')?.ResourceEndpoint;
  const https = list.find((e) => e.Protocol === 'HTTPS')?.ResourceEndpoint;
  if (!wss || !https) throw new Error(`GetSignalingChannelEndpoint gave no WSS or HTTPS endpoint: ${JSON.stringify(list)}`);
  await step('GetSignalingChannelEndpoint', { role: 'VIEWER', wss, https }, `called GetSignalingChannelEndpoint (VIEWER): ${wss}, ${https} (on 443 without a port: the C SDK refuses a port)`);

  // The browser resolves STUN's hard-coded name itself, through the lab DNS (coturn).
  const stun = `stun:stun.kinesisvideo.${s.region}.amazonaws.com:443`;
  const signalingApi = new KinesisVideoSignalingClient({ ...common, endpoint: https });
  const iceConfig = async (): Promise<IceServerConfigResponse> => {
    const ice = await call('GetIceServerConfig', side.deadlineMs, warn, () => signalingApi.send(new GetIceServerConfigCommand({ ChannelARN: channelARN, ClientId: side.clientId })));
    const servers = (ice.IceServerList ?? []).map((i) => ({ Uris: i.Uris ?? [], Username: i.Username ?? '', Password: i.Password ?? '', Ttl: i.Ttl ?? 0 }));
    const uris = servers.flatMap((i) => i.Uris);
    await step('GetIceServerConfig', { clientId: side.clientId, stun, uris, ttl: servers[0]?.Ttl }, `called GetIceServerConfig: ${uris.join(', ') || '(no TURN)'}; STUN ${stun}, the name the SDKs hard-code (the browser resolves it through the lab DNS: coturn)`);
    return { IceServerList: servers, StunUris: [stun] };
  };

  const client = new kvs.SignalingClient({ channelARN, channelEndpoint: wss, clientId: side.clientId, role: kvs.Role.VIEWER, region: s.region, credentials: s.credentials, systemClockOffset: 0 });
  const signaling = new PageKvsAdapter(client, side.masterLabel, iceConfig, emit);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`KVS signaling ${wss}: not open within the deadline`)), Math.max(1000, side.deadlineMs - Date.now()));
    client.once('open', () => (clearTimeout(timer), resolve()));
    // The browser gives no reason for a refused upgrade (the Node SDK says "Unexpected server response: 403").
    client.once('error', () => (clearTimeout(timer), reject(new Error(`KVS signaling ${wss}: the WebSocket failed (a refused upgrade: bad signature, unknown channel or too many viewers; the emulator's log says which)`))));
    client.open();
  });
  await step('ConnectAsViewer', { role: 'VIEWER', clientId: side.clientId, wss }, `opened the channel's WebSocket (SigV4-presigned URL signed in the page by the KVS SDK, X-Amz-ClientId ${side.clientId}; the emulator checks the signature on the upgrade: 403 if bad or expired): ${wss}`);
  return signaling;
}

/** The SDK's events and calls as the page's Signaling (lab-shaped messages); `end-of-candidates` and `bye` have no KVS message. */
class PageKvsAdapter implements Signaling {
  private readonly inbox = new MessageInbox<Incoming>();
  private closing = false;

  constructor(
    private client: KvsSdk.SignalingClient,
    masterLabel: string,
    readonly iceConfig: () => Promise<IceServerConfigResponse>,
    emit: Emit,
  ) {
    client.on('sdpAnswer', (d: { sdp: string }) => this.inbox.deliver({ type: 'answer', from: masterLabel, sdp: d.sdp }));
    client.on('iceCandidate', (c: RTCIceCandidateInit) => this.inbox.deliver({ type: 'candidate', from: masterLabel, candidate: c }));
    client.on('statusResponse', (r: { errorType?: string; description?: string }) => void emit('signaling-error', { code: r.errorType, message: r.description }));
    client.on('close', () => this.closing || void emit('signaling-closed', { code: 0, reason: 'KVS signaling closed' }));
  }

  onMessage(handler: (msg: Incoming) => void): void {
    this.inbox.onMessage(handler);
  }

  send(msg: Record<string, unknown>): void {
    if (msg.type === 'offer') this.client.sendSdpOffer({ type: 'offer', sdp: msg.sdp as string } as RTCSessionDescription);
    else if (msg.type === 'candidate') this.client.sendIceCandidate(msg.candidate as RTCIceCandidate);
  }

  close(): void {
    this.closing = true;
    this.client.close();
  }
}

window.labKvs = { connect: connectKvsViewer };
