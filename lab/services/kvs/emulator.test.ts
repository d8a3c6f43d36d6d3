// The KVS emulator on loopback, driven by requests the official signers sign: control plane,
// GetIceServerConfig, the signaling WebSocket's routing, and bad input that must not hurt anyone.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { HardenedServer } from '../hardened-server.js';
import { KvsEmulator, SERVICE_MESSAGE_PATH, parseClientMessage } from './emulator.js';
import { awsPost, presignedUrl } from './test-signing.js';

const creds = { accessKeyId: 'AKIDLAB', secretAccessKey: 'lab-secret' };
let server: HardenedServer;
let port = 0;
let arn = '';

beforeAll(async () => {
  const kvs = new KvsEmulator({ region: 'us-west-2', channels: ['cam'], credentials: [creds], signalingHost: 'v-lab.kinesisvideo.us-west-2.amazonaws.com', maxViewers: 2, ice: { host: '203.0.113.2', stunPort: 3478, tlsPort: 443, turnSecret: 's', ttlSeconds: 300 } });
  server = new HardenedServer({ log: () => {}, http: kvs.httpRoutes(), ws: { '/': kvs.wsRoute } });
  port = await server.listen(0, '127.0.0.1');
  arn = ((await awsPost(port, '/describeSignalingChannel', { ChannelName: 'cam' }, creds)).body.ChannelInfo as { ChannelARN: string }).ChannelARN;
});
afterAll(() => server.close());

describe('control plane', () => {
  it('describes, creates, hands out endpoints without a port, and deletes', async () => {
    const d = await awsPost(port, '/describeSignalingChannel', { ChannelName: 'cam' }, creds);
    expect(d.status).toBe(200);
    expect(d.body.ChannelInfo).toMatchObject({ ChannelName: 'cam', ChannelType: 'SINGLE_MASTER', ChannelStatus: 'ACTIVE', ChannelARN: expect.stringMatching(/^arn:aws:kinesisvideo:us-west-2:\d{12}:channel\/cam\/\d+$/) });
    const e = await awsPost(port, '/getSignalingChannelEndpoint', { ChannelARN: arn, SingleMasterChannelEndpointConfiguration: { Protocols: ['WSS', 'HTTPS'], Role: 'VIEWER' } }, creds);
    expect(e.body).toEqual({ ResourceEndpointList: [{ Protocol: 'WSS', ResourceEndpoint: 'wss://v-lab.kinesisvideo.us-west-2.amazonaws.com' }, { Protocol: 'HTTPS', ResourceEndpoint: 'https://v-lab.kinesisvideo.us-west-2.amazonaws.com' }] });
    const c = await awsPost(port, '/createSignalingChannel', { ChannelName: 'other' }, creds);
    expect(c.body.ChannelARN).toMatch(/channel\/other\//);
    expect((await awsPost(port, '/createSignalingChannel', { ChannelName: 'other' }, creds)).errorType).toBe('ResourceInUseException');
    expect((await awsPost(port, '/deleteSignalingChannel', { ChannelARN: c.body.ChannelARN }, creds)).status).toBe(200);
    expect((await awsPost(port, '/describeSignalingChannel', { ChannelName: 'other' }, creds)).status).toBe(404);
  });
  it('GetIceServerConfig gives TURN URIs with REST credentials', async () => {
    const r = await awsPost(port, '/v1/get-ice-server-config', { ChannelARN: arn, ClientId: 'viewer-1' }, creds);
    const [server0] = r.body.IceServerList as { Uris: string[]; Username: string; Password: string; Ttl: number }[];
    expect(server0.Uris).toContain('turn:203.0.113.2:3478?transport=udp');
    expect(server0.Username).toMatch(/^\d+:cam\.viewer-1$/);
    expect(server0.Ttl).toBe(300);
  });
  it('answers errors as AWS does: status, x-amzn-errortype and {Message}', async () => {
    const unknown = await awsPost(port, '/describeSignalingChannel', { ChannelName: 'nope' }, creds);
    expect(unknown).toMatchObject({ status: 404, errorType: 'ResourceNotFoundException', body: { Message: expect.any(String) } });
    const badSecret = await awsPost(port, '/describeSignalingChannel', { ChannelName: 'cam' }, { ...creds, secretAccessKey: 'wrong' });
    expect(badSecret).toMatchObject({ status: 403, errorType: 'InvalidSignatureException' });
    const expired = await awsPost(port, '/describeSignalingChannel', { ChannelName: 'cam' }, creds, { at: new Date(Date.now() - 20 * 60_000) });
    expect(expired).toMatchObject({ status: 403, body: { Message: expect.stringMatching(/Signature expired/) } });
    expect((await awsPost(port, '/getSignalingChannelEndpoint', { ChannelARN: 'arn:aws:kinesisvideo:us-west-2:1:channel/x/1' }, creds)).errorType).toBe('ResourceNotFoundException');
  });
});

/** What a browser sends before a signed POST from another origin (the headers AWS SDK v3 signs in a page). */
function preflight(path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'OPTIONS', path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.once('error', reject);
    req.end();
  });
}

describe('CORS, for browser pages (the KVS samples, the Chromium viewer)', () => {
  const sdkHeaders = 'amz-sdk-invocation-id,amz-sdk-request,authorization,content-type,x-amz-content-sha256,x-amz-date,x-amz-user-agent';
  it('answers the preflight of the control plane and of the signaling HTTPS endpoint as AWS does, unsigned', async () => {
    for (const path of ['/describeSignalingChannel', '/getSignalingChannelEndpoint', '/v1/get-ice-server-config']) {
      const r = await preflight(path, { origin: 'http://203.0.113.9:8080', 'access-control-request-method': 'POST', 'access-control-request-headers': sdkHeaders });
      expect(r.status, path).toBe(200);
      expect(r.body).toBe('');
      expect(r.headers).toMatchObject({ 'access-control-allow-origin': '*', 'access-control-allow-headers': sdkHeaders, 'access-control-allow-methods': 'POST', 'access-control-max-age': '172800' });
      expect(String(r.headers['access-control-expose-headers']).split(',')).toEqual(expect.arrayContaining(['x-amzn-ErrorType', 'x-amzn-RequestId']));
    }
  });
  it('echoes only a list of header names, and lets the page read answers and errors (x-amzn-errortype exposed)', async () => {
    const odd = await preflight('/describeSignalingChannel', { origin: 'http://x', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-a, x b(c)' });
    expect(odd.status).toBe(200);
    expect(odd.headers['access-control-allow-headers']).toBeUndefined();
    const ok = await awsPost(port, '/describeSignalingChannel', { ChannelName: 'cam' }, creds, { raw: true });
    const bad = await awsPost(port, '/describeSignalingChannel', { ChannelName: 'nope' }, creds, { raw: true });
    for (const r of [ok, bad]) {
      expect(r.headers?.['access-control-allow-origin']).toBe('*');
      expect(String(r.headers?.['access-control-expose-headers'])).toContain('x-amzn-ErrorType');
    }
    expect([ok.status, bad.status, bad.errorType]).toEqual([200, 404, 'ResourceNotFoundException']);
  });
});

interface Client {
  ws: WebSocket;
  next(): Promise<Record<string, unknown>>;
}

async function open(params: Record<string, string>, c = creds): Promise<Client> {
  const ws = new WebSocket(await presignedUrl(port, params, c));
  const inbox: Record<string, unknown>[] = [];
  const waiting: ((m: Record<string, unknown>) => void)[] = [];
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString());
    const w = waiting.shift();
    if (w) w(m);
    else inbox.push(m);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_q, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  const next = () => (inbox.length ? Promise.resolve(inbox.shift()!) : new Promise<Record<string, unknown>>((r) => waiting.push(r)));
  return { ws, next };
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64');

describe('signaling WebSocket', () => {
  it('routes viewer -> master with senderClientId and master -> viewer by recipient, camelCase and PascalCase; relays ICE sent before the SDP', async () => {
    const master = await open({ 'X-Amz-ChannelARN': arn });
    const viewer = await open({ 'X-Amz-ChannelARN': arn, 'X-Amz-ClientId': 'viewer-1' });
    viewer.ws.send(JSON.stringify({ action: 'ICE_CANDIDATE', messagePayload: b64({ candidate: 'c1' }) }));
    viewer.ws.send(JSON.stringify({ action: 'SDP_OFFER', messagePayload: b64({ type: 'offer', sdp: 'v=0' }) }));
    expect(await master.next()).toEqual({ senderClientId: 'viewer-1', messageType: 'ICE_CANDIDATE', messagePayload: b64({ candidate: 'c1' }) });
    expect(await master.next()).toMatchObject({ senderClientId: 'viewer-1', messageType: 'SDP_OFFER' });
    master.ws.send(JSON.stringify({ action: 'SDP_ANSWER', MessagePayload: b64({ type: 'answer', sdp: 'v=0' }), RecipientClientId: 'viewer-1' }));
    expect(await viewer.next()).toEqual({ messageType: 'SDP_ANSWER', messagePayload: b64({ type: 'answer', sdp: 'v=0' }) });
    master.ws.close();
    viewer.ws.close();
  });
  it('queues what a viewer sends before the master connects', async () => {
    const viewer = await open({ 'X-Amz-ChannelARN': arn, 'X-Amz-ClientId': 'early' });
    viewer.ws.send(JSON.stringify({ action: 'SDP_OFFER', messagePayload: b64({ type: 'offer', sdp: 'v=0' }) }));
    await new Promise((r) => setTimeout(r, 50));
    const master = await open({ 'X-Amz-ChannelARN': arn });
    expect(await master.next()).toMatchObject({ senderClientId: 'early', messageType: 'SDP_OFFER' });
    master.ws.close();
    viewer.ws.close();
  });
  it('refuses a bad signature and an unknown channel on the upgrade, and more viewers than allowed', async () => {
    await expect(open({ 'X-Amz-ChannelARN': arn }, { ...creds, secretAccessKey: 'wrong' })).rejects.toThrow('HTTP 403');
    await expect(open({ 'X-Amz-ChannelARN': `${arn}9` })).rejects.toThrow('HTTP 404');
    const a = await open({ 'X-Amz-ChannelARN': arn, 'X-Amz-ClientId': 'a' });
    const b = await open({ 'X-Amz-ChannelARN': arn, 'X-Amz-ClientId': 'b' });
    await expect(open({ 'X-Amz-ChannelARN': arn, 'X-Amz-ClientId': 'c' })).rejects.toThrow('HTTP 403');
    a.ws.close();
    b.ws.close();
  });
  it('answers a malformed message and one to an unknown client id with STATUS_RESPONSE, and keeps serving', async () => {
    const master = await open({ 'X-Amz-ChannelARN': arn });
    master.ws.send('{not json');
    expect(await master.next()).toMatchObject({ messageType: 'STATUS_RESPONSE', statusResponse: { success: false, errorType: 'InvalidArgumentException' } });
    master.ws.send(JSON.stringify({ action: 'SDP_ANSWER', messagePayload: b64({}), recipientClientId: 'ghost', correlationId: 'c-1' }));
    expect(await master.next()).toEqual({ messageType: 'STATUS_RESPONSE', statusResponse: { correlationId: 'c-1', success: false, errorType: 'InvalidArgumentException', statusCode: '400', description: expect.stringMatching(/ghost/) } });
    const viewer = await open({ 'X-Amz-ChannelARN': arn, 'X-Amz-ClientId': 'after' });
    viewer.ws.send(JSON.stringify({ action: 'SDP_OFFER', messagePayload: b64({ sdp: 'x' }) }));
    expect(await master.next()).toMatchObject({ senderClientId: 'after', messageType: 'SDP_OFFER' });
    master.ws.close();
    viewer.ws.close();
  });
  it('says GO_AWAY (then closes with 1001) and RECONNECT_ICE_SERVER on demand, to one client id or to all', async () => {
    const master = await open({ 'X-Amz-ChannelARN': arn });
    const viewer = await open({ 'X-Amz-ChannelARN': arn, 'X-Amz-ClientId': 'v-go' });
    const reconnect = await awsPost(port, SERVICE_MESSAGE_PATH, { ChannelARN: arn, MessageType: 'RECONNECT_ICE_SERVER', ClientId: 'v-go' }, creds);
    expect(reconnect).toMatchObject({ status: 200, body: { Delivered: ['v-go'] } });
    expect(await viewer.next()).toEqual({ messageType: 'RECONNECT_ICE_SERVER' });
    const closed = new Promise<number>((resolve) => master.ws.once('close', (code) => resolve(code)));
    expect((await awsPost(port, SERVICE_MESSAGE_PATH, { ChannelName: 'cam', MessageType: 'GO_AWAY', CloseAfterMs: 0 }, creds)).body).toEqual({ Delivered: ['MASTER', 'v-go'] });
    expect(await master.next()).toEqual({ messageType: 'GO_AWAY' });
    expect(await viewer.next()).toEqual({ messageType: 'GO_AWAY' });
    expect(await closed).toBe(1001);
    expect(await awsPost(port, SERVICE_MESSAGE_PATH, { ChannelARN: arn, MessageType: 'HELLO' }, creds)).toMatchObject({ status: 400, errorType: 'InvalidArgumentException' });
    expect(await awsPost(port, SERVICE_MESSAGE_PATH, { ChannelARN: arn, MessageType: 'GO_AWAY', ClientId: 'nobody' }, creds)).toMatchObject({ status: 404, errorType: 'ResourceNotFoundException' });
    expect(await awsPost(port, SERVICE_MESSAGE_PATH, { ChannelARN: arn, MessageType: 'GO_AWAY' }, { ...creds, secretAccessKey: 'wrong' })).toMatchObject({ status: 403 });
  });
});

describe('parseClientMessage', () => {
  it('takes both key styles and names what is wrong', () => {
    expect(parseClientMessage('{"Action":"ICE_CANDIDATE","MessagePayload":"e30=","CorrelationId":"x"}')).toEqual({ action: 'ICE_CANDIDATE', messagePayload: 'e30=', correlationId: 'x' });
    expect(parseClientMessage('{"action":"HELLO","messagePayload":"e30="}')).toMatchObject({ error: expect.stringMatching(/action must be/) });
    expect(parseClientMessage('{"action":"SDP_OFFER","messagePayload":"not base64!"}')).toMatchObject({ error: expect.stringMatching(/base64/) });
    expect(parseClientMessage('[1]')).toMatchObject({ error: expect.any(String) });
  });
});
