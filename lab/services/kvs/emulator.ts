/**
 * An offline Kinesis Video Streams signaling service, as routes of the hardened server
 * (hardened-server.ts): the control plane (`kinesisvideo.<region>.amazonaws.com`), the signaling
 * HTTPS endpoint (GetIceServerConfig) and the signaling WebSocket, all SigV4-verified with the
 * scenario's static credentials. Wire format: ../../../docs/protocols.md#kinesis-video-streams-emulated.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RawData } from 'ws';
import type { GuardedSocket, HttpRoute, Log, UpgradeDecision, WsRoute } from '../hardened-server.js';
import { iceServerConfig, type IceEndpointSettings } from '../ice-config.js';
import { boundedText } from '../log-line.js';
import { verifyHeaderSignature, verifyPresignedUrl, type SigV4Check, type SigV4Credentials } from './sigv4.js';

export interface KvsEmulatorConfig {
  region: string;
  /** Channels that exist from the start (more can be created). */
  channels: string[];
  credentials: SigV4Credentials[];
  /** Host name of the signaling endpoints handed out (WSS and HTTPS, no port: served on 443). */
  signalingHost: string;
  accountId?: string;
  ice: IceEndpointSettings;
  maxViewers?: number;
  /** How long a message for an absent master waits (the channel's MessageTtlSeconds). */
  messageTtlSeconds?: number;
  maxBodyBytes?: number;
}

interface Channel {
  name: string;
  arn: string;
  creationTime: number;
  version: string;
  master: GuardedSocket | null;
  viewers: Map<string, GuardedSocket>;
  /** Messages for the master sent while it was not connected, relayed when it connects (within the TTL). */
  forMaster: { text: string; at: number }[];
}

export type KvsAction = 'SDP_OFFER' | 'SDP_ANSWER' | 'ICE_CANDIDATE';
const ACTIONS: ReadonlySet<string> = new Set<KvsAction>(['SDP_OFFER', 'SDP_ANSWER', 'ICE_CANDIDATE']);
const CORRELATION_ID = /^[a-zA-Z0-9_.-]{1,256}$/;
const CLIENT_ID = /^[a-zA-Z0-9_.-]{1,256}$/;
const MAX_QUEUED = 64;

/** The emulator's own route (docs/protocols.md): messages the real service sends on its own initiative. */
export const SERVICE_MESSAGE_PATH = '/x-lab/sendServiceMessage';
export type ServiceMessageType = 'GO_AWAY' | 'RECONNECT_ICE_SERVER';
const SERVICE_MESSAGES: ReadonlySet<string> = new Set<ServiceMessageType>(['GO_AWAY', 'RECONNECT_ICE_SERVER']);
/** After GO_AWAY the service closes the connection; clients are to reconnect in this time. */
const GO_AWAY_CLOSE_MS = 1000;

export class AwsError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

export class KvsEmulator {
  private channels = new Map<string, Channel>();
  private readonly account: string;
  private serial = 0;

  constructor(
    private cfg: KvsEmulatorConfig,
    private log: Log = () => {},
  ) {
    this.account = cfg.accountId ?? '123456789012';
    for (const name of cfg.channels) this.create(name);
  }

  /** The routes to mount on a HardenedServer (control plane, signaling HTTPS, WebSocket at `/`). */
  httpRoutes(): Record<string, HttpRoute> {
    // OPTIONS: the CORS preflight a browser page (the KVS samples, the lab's Chromium viewer) sends first.
    const post = (name: string, fn: (body: Record<string, unknown>, req: IncomingMessage) => unknown): HttpRoute => ({ methods: ['POST', 'OPTIONS'], handle: (req, res) => (req.method === 'OPTIONS' ? preflight(req, res) : this.api(name, req, res, fn)) });
    return {
      '/createSignalingChannel': post('CreateSignalingChannel', (b) => this.createSignalingChannel(b)),
      '/describeSignalingChannel': post('DescribeSignalingChannel', (b) => ({ ChannelInfo: this.info(this.find(b)) })),
      '/getSignalingChannelEndpoint': post('GetSignalingChannelEndpoint', (b) => this.getEndpoint(b)),
      '/deleteSignalingChannel': post('DeleteSignalingChannel', (b) => this.deleteSignalingChannel(b)),
      '/listSignalingChannels': post('ListSignalingChannels', () => ({ ChannelInfoList: [...this.channels.values()].map((c) => this.info(c)) })),
      '/v1/get-ice-server-config': post('GetIceServerConfig', (b) => this.getIceServerConfig(b)),
      // Not an AWS API: lets a test make the service say GO_AWAY or RECONNECT_ICE_SERVER (signed like the rest).
      [SERVICE_MESSAGE_PATH]: post('SendServiceMessage', (b) => this.sendServiceMessage(b)),
    };
  }

  readonly wsRoute: WsRoute = { authorize: (req, url) => this.authorize(req, url) };

  private create(name: string): Channel {
    const id = `${Date.now()}${String(++this.serial).padStart(3, '0')}`;
    const channel: Channel = { name, arn: `arn:aws:kinesisvideo:${this.cfg.region}:${this.account}:channel/${name}/${id}`, creationTime: Math.floor(Date.now() / 1000), version: id, master: null, viewers: new Map(), forMaster: [] };
    this.channels.set(name, channel);
    return channel;
  }

  private verify(req: IncomingMessage, body: Buffer): SigV4Check {
    return verifyHeaderSignature({ method: req.method ?? '', url: req.url ?? '/', headers: req.headers, body }, { service: 'kinesisvideo', region: this.cfg.region, credentials: this.cfg.credentials });
  }

  private api(name: string, req: IncomingMessage, res: ServerResponse, fn: (body: Record<string, unknown>, req: IncomingMessage) => unknown): void {
    readBody(req, this.cfg.maxBodyBytes ?? 64 * 1024).then(
      (body) => {
        try {
          const auth = this.verify(req, body);
          if (!auth.ok) throw new AwsError(auth.status, auth.errorType, auth.message);
          let parsed: unknown;
          try {
            parsed = JSON.parse(body.length ? body.toString() : '{}');
          } catch {
            throw new AwsError(400, 'SerializationException', 'Request body is not valid JSON');
          }
          if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new AwsError(400, 'SerializationException', 'Request body must be a JSON object');
          const out = fn(parsed as Record<string, unknown>, req);
          this.log({ event: 'kvs-api', call: name });
          sendAws(res, 200, out);
        } catch (err) {
          const e = err instanceof AwsError ? err : new AwsError(500, 'ClientLimitExceededException', 'internal error');
          this.log({ level: 'warn', event: 'kvs-api-error', call: name, status: e.status, errorType: e.errorType, message: boundedText(e.message, 200) });
          sendAws(res, e.status, { Message: e.message }, e.errorType);
        }
      },
      (err: AwsError) => sendAws(res, err.status, { Message: err.message }, err.errorType),
    );
  }

  private find(body: Record<string, unknown>): Channel {
    const name = typeof body.ChannelName === 'string' ? body.ChannelName : undefined;
    const arn = typeof body.ChannelARN === 'string' ? body.ChannelARN : undefined;
    if (!name && !arn) throw new AwsError(400, 'InvalidArgumentException', 'Either ChannelName or ChannelARN is required');
    const channel = name ? this.channels.get(name) : [...this.channels.values()].find((c) => c.arn === arn);
    if (!channel) throw new AwsError(404, 'ResourceNotFoundException', 'The requested channel is not found or not active.');
    return channel;
  }

  private info(c: Channel): Record<string, unknown> {
    return { ChannelName: c.name, ChannelARN: c.arn, ChannelType: 'SINGLE_MASTER', ChannelStatus: 'ACTIVE', CreationTime: c.creationTime, SingleMasterConfiguration: { MessageTtlSeconds: this.cfg.messageTtlSeconds ?? 60 }, Version: c.version };
  }

  private createSignalingChannel(b: Record<string, unknown>): unknown {
    const name = b.ChannelName;
    if (typeof name !== 'string' || !/^[a-zA-Z0-9_.-]{1,256}$/.test(name)) throw new AwsError(400, 'InvalidArgumentException', 'ChannelName must match [a-zA-Z0-9_.-]+ (1-256 characters)');
    if (this.channels.has(name)) throw new AwsError(400, 'ResourceInUseException', `The signalling channel ${name} already exists.`);
    return { ChannelARN: this.create(name).arn };
  }

  private deleteSignalingChannel(b: Record<string, unknown>): unknown {
    if (typeof b.ChannelARN !== 'string') throw new AwsError(400, 'InvalidArgumentException', 'ChannelARN is required');
    const c = this.find({ ChannelARN: b.ChannelARN });
    this.channels.delete(c.name);
    for (const s of [c.master, ...c.viewers.values()]) s?.close(1000, 'channel deleted');
    return {};
  }

  private getEndpoint(b: Record<string, unknown>): unknown {
    const c = this.find({ ChannelARN: b.ChannelARN });
    const conf = (b.SingleMasterChannelEndpointConfiguration ?? {}) as { Protocols?: unknown; Role?: unknown };
    const protocols = Array.isArray(conf.Protocols) ? conf.Protocols : ['WSS', 'HTTPS'];
    if (conf.Role !== undefined && conf.Role !== 'MASTER' && conf.Role !== 'VIEWER') throw new AwsError(400, 'InvalidArgumentException', 'Role must be MASTER or VIEWER');
    const bad = protocols.find((p) => p !== 'WSS' && p !== 'HTTPS' && p !== 'WEBRTC');
    if (bad !== undefined) throw new AwsError(400, 'InvalidArgumentException', `Protocols must be WSS, HTTPS or WEBRTC, not ${boundedText(String(bad), 20)}`);
    this.log({ event: 'kvs-endpoint', channel: c.name, role: conf.Role ?? 'MASTER' });
    return { ResourceEndpointList: protocols.filter((p) => p !== 'WEBRTC').map((p) => ({ Protocol: p, ResourceEndpoint: `${p === 'WSS' ? 'wss' : 'https'}://${this.cfg.signalingHost}` })) };
  }

  private getIceServerConfig(b: Record<string, unknown>): unknown {
    const c = this.find({ ChannelARN: b.ChannelARN });
    const clientId = typeof b.ClientId === 'string' && CLIENT_ID.test(b.ClientId) ? b.ClientId : 'MASTER';
    const { IceServerList } = iceServerConfig(this.cfg.ice, `${c.name}.${clientId}`);
    this.log({ event: 'kvs-ice-config', channel: c.name, clientId });
    return { IceServerList };
  }

  /**
   * `{ChannelARN|ChannelName, MessageType: GO_AWAY|RECONNECT_ICE_SERVER, ClientId?: MASTER|<viewer>}`
   * (no ClientId: every connection of the channel). GO_AWAY closes those connections (1001) after
   * `CloseAfterMs` (default 1000), as the service does after telling clients to reconnect.
   */
  private sendServiceMessage(b: Record<string, unknown>): unknown {
    const c = this.find(b);
    const type = b.MessageType;
    if (typeof type !== 'string' || !SERVICE_MESSAGES.has(type)) throw new AwsError(400, 'InvalidArgumentException', `MessageType must be one of ${[...SERVICE_MESSAGES].join(', ')}`);
    const closeAfter = b.CloseAfterMs === undefined ? GO_AWAY_CLOSE_MS : Number(b.CloseAfterMs);
    if (!Number.isInteger(closeAfter) || closeAfter < 0 || closeAfter > 60_000) throw new AwsError(400, 'InvalidArgumentException', 'CloseAfterMs must be an integer from 0 to 60000');
    const all: [string, GuardedSocket][] = [...(c.master ? [['MASTER', c.master] as [string, GuardedSocket]] : []), ...c.viewers];
    const to = b.ClientId === undefined ? all : all.filter(([id]) => id === b.ClientId);
    if (b.ClientId !== undefined && !to.length) throw new AwsError(404, 'ResourceNotFoundException', `No connection of client id ${boundedText(String(b.ClientId), 64)} on channel ${c.name}`);
    for (const [, conn] of to) {
      conn.send(JSON.stringify({ messageType: type }));
      if (type === 'GO_AWAY') setTimeout(() => conn.close(1001, 'GO_AWAY: reconnect'), closeAfter).unref();
    }
    this.log({ event: 'kvs-service-message', channel: c.name, messageType: type, to: to.map(([id]) => id) });
    return { Delivered: to.map(([id]) => id) };
  }

  /** The presigned signaling URL: a bad or expired signature is a 403 on the upgrade, as AWS answers. */
  private authorize(req: IncomingMessage, url: URL): UpgradeDecision {
    const check = verifyPresignedUrl({ method: 'GET', url: req.url ?? '/', headers: req.headers }, { service: 'kinesisvideo', region: this.cfg.region, credentials: this.cfg.credentials });
    const refuse = (status: number, reason: string): UpgradeDecision => {
      this.log({ level: 'warn', event: 'kvs-ws-rejected', status, reason: boundedText(reason, 200), from: req.socket.remoteAddress });
      return { ok: false, status };
    };
    if (!check.ok) return refuse(check.status, check.message);
    const arn = url.searchParams.get('X-Amz-ChannelARN') ?? '';
    const channel = [...this.channels.values()].find((c) => c.arn === arn);
    if (!channel) return refuse(404, `no channel ${arn}`);
    const clientId = url.searchParams.get('X-Amz-ClientId');
    if (clientId === null) return { ok: true, accept: (conn) => this.joinMaster(channel, conn) };
    if (!CLIENT_ID.test(clientId)) return refuse(400, 'X-Amz-ClientId must match [a-zA-Z0-9_.-]{1,256}');
    if (!channel.viewers.has(clientId) && channel.viewers.size >= (this.cfg.maxViewers ?? 10)) return refuse(403, `channel ${channel.name} has its ${this.cfg.maxViewers ?? 10} viewers`);
    return { ok: true, accept: (conn) => this.joinViewer(channel, clientId, conn) };
  }

  private joinMaster(c: Channel, conn: GuardedSocket): void {
    conn.label = { channel: c.name, client: 'MASTER' };
    const stale = c.master;
    c.master = conn;
    stale?.close(4001, 'replaced by a newer master connection');
    this.log({ event: 'kvs-connected', channel: c.name, role: 'MASTER' });
    const fresh = Date.now() - (this.cfg.messageTtlSeconds ?? 60) * 1000;
    for (const m of c.forMaster.splice(0)) if (m.at >= fresh) conn.send(m.text);
    conn.ws.on('message', (data, binary) => c.master === conn && this.onMessage(c, 'MASTER', conn, data, binary));
    conn.ws.once('close', () => {
      if (c.master === conn) c.master = null;
      this.log({ event: 'kvs-disconnected', channel: c.name, role: 'MASTER' });
    });
  }

  private joinViewer(c: Channel, clientId: string, conn: GuardedSocket): void {
    conn.label = { channel: c.name, client: clientId };
    const stale = c.viewers.get(clientId);
    c.viewers.set(clientId, conn);
    stale?.close(4001, 'replaced by a newer connection of this client id');
    this.log({ event: 'kvs-connected', channel: c.name, role: 'VIEWER', clientId });
    conn.ws.on('message', (data, binary) => c.viewers.get(clientId) === conn && this.onMessage(c, clientId, conn, data, binary));
    conn.ws.once('close', () => {
      if (c.viewers.get(clientId) === conn) c.viewers.delete(clientId);
      this.log({ event: 'kvs-disconnected', channel: c.name, role: 'VIEWER', clientId });
    });
  }

  /** One client message: camelCase (JS SDK) or PascalCase (C SDK) keys. */
  private onMessage(c: Channel, sender: string, conn: GuardedSocket, data: RawData, binary: boolean): void {
    const parsed = binary ? null : parseClientMessage(data.toString());
    if (!parsed || 'error' in parsed) {
      const error = parsed?.error ?? 'binary frames are not part of the protocol';
      this.log({ level: 'warn', event: 'kvs-bad-message', channel: c.name, client: sender, message: error });
      conn.send(statusResponse(parsed && 'correlationId' in parsed ? parsed.correlationId : undefined, 'InvalidArgumentException', error));
      return;
    }
    const m = parsed;
    if (sender === 'MASTER') {
      const to = m.recipientClientId ? c.viewers.get(m.recipientClientId) : undefined;
      const out = JSON.stringify({ messageType: m.action, messagePayload: m.messagePayload });
      if (to) {
        to.send(out);
        to.holdBack(conn);
      } else if (m.correlationId) conn.send(statusResponse(m.correlationId, 'InvalidArgumentException', m.recipientClientId ? `The recipient client id ${boundedText(m.recipientClientId, 64)} is not connected` : 'A master must name a RecipientClientId'));
      else this.log({ level: 'warn', event: 'kvs-dropped', channel: c.name, client: sender, to: boundedText(m.recipientClientId ?? '', 64) });
      return;
    }
    if (m.recipientClientId) {
      conn.send(statusResponse(m.correlationId, 'InvalidArgumentException', 'A viewer can only send to the master: RecipientClientId must be absent'));
      return;
    }
    const out = JSON.stringify({ senderClientId: sender, messageType: m.action, messagePayload: m.messagePayload });
    if (c.master) {
      c.master.send(out);
      c.master.holdBack(conn);
    } else if (c.forMaster.length < MAX_QUEUED) c.forMaster.push({ text: out, at: Date.now() });
    else if (m.correlationId) conn.send(statusResponse(m.correlationId, 'ClientLimitExceededException', 'Too many messages wait for the master'));
  }
}

export interface ClientMessage {
  action: KvsAction;
  messagePayload: string;
  recipientClientId?: string;
  correlationId?: string;
}

/** Parses one client frame; an error keeps a correlationId it could read so the reply can carry it. */
export function parseClientMessage(text: string): ClientMessage | { error: string; correlationId?: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { error: 'The message is not valid JSON' };
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return { error: 'The message must be a JSON object' };
  const o = v as Record<string, unknown>;
  const pick = (camel: string, pascal: string) => (o[camel] !== undefined ? o[camel] : o[pascal]);
  const action = pick('action', 'Action');
  const payload = pick('messagePayload', 'MessagePayload');
  const recipient = pick('recipientClientId', 'RecipientClientId');
  const correlation = pick('correlationId', 'CorrelationId');
  const correlationId = typeof correlation === 'string' && CORRELATION_ID.test(correlation) ? correlation : undefined;
  const err = (error: string) => ({ error, ...(correlationId ? { correlationId } : {}) });
  if (correlation !== undefined && !correlationId) return err('correlationId must match [a-zA-Z0-9_.-]{1,256}');
  if (typeof action !== 'string' || !ACTIONS.has(action)) return err(`action must be one of ${[...ACTIONS].join(', ')}`);
  if (typeof payload !== 'string' || !payload || !/^[A-Za-z0-9+/=]+$/.test(payload)) return err('messagePayload must be a non-empty base64 string');
  if (recipient !== undefined && (typeof recipient !== 'string' || !CLIENT_ID.test(recipient))) return err('recipientClientId must match [a-zA-Z0-9_.-]{1,256}');
  return { action: action as KvsAction, messagePayload: payload, ...(recipient ? { recipientClientId: recipient as string } : {}), ...(correlationId ? { correlationId } : {}) };
}

function statusResponse(correlationId: string | undefined, errorType: string, description: string): string {
  return JSON.stringify({ messageType: 'STATUS_RESPONSE', statusResponse: { ...(correlationId ? { correlationId } : {}), success: false, errorType, statusCode: '400', description } });
}

/**
 * CORS as AWS's JSON endpoints answer it (measured on several services' fronts with the AWS SDK v3
 * headers, AllanZhengYP/cors-test): any origin, the requested headers echoed, POST, the error
 * headers exposed (the SDK reads x-amzn-ErrorType to name the error), cached two days.
 */
const CORS_EXPOSE = 'x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date';
const CORS_MAX_AGE = '172800';

/** A list of header names (RFC 9110 tokens), the only thing echoed back. */
const HEADER_LIST = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+(\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$/;

function preflight(req: IncomingMessage, res: ServerResponse): void {
  const asked = req.headers['access-control-request-headers'];
  const requested = typeof asked === 'string' && asked.length <= 2000 && HEADER_LIST.test(asked) ? asked : null;
  res
    .writeHead(200, {
      'x-amzn-requestid': cryptoId(),
      'access-control-allow-origin': '*',
      ...(requested ? { 'access-control-allow-headers': requested } : {}),
      'access-control-allow-methods': 'POST',
      'access-control-expose-headers': CORS_EXPOSE,
      'access-control-max-age': CORS_MAX_AGE,
      'content-length': '0',
    })
    .end();
}

function sendAws(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-amzn-requestid': cryptoId(), 'access-control-allow-origin': '*', 'access-control-expose-headers': CORS_EXPOSE };
  if (errorType) headers['x-amzn-errortype'] = errorType;
  res.writeHead(status, headers).end(JSON.stringify(body));
}

let requests = 0;
function cryptoId(): string {
  return `lab-${process.pid}-${++requests}`;
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        reject(new AwsError(413, 'SerializationException', `Request body is over ${max} bytes`));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', () => reject(new AwsError(400, 'SerializationException', 'Request body could not be read')));
  });
}
