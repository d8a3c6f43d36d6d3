import { SignatureV4 } from '@smithy/signature-v4';
import { SigV4RequestSigner } from 'amazon-kinesis-video-streams-webrtc/lib/SigV4RequestSigner.js';
import { describe, expect, it } from 'vitest';
import { verifyHeaderSignature, verifyPresignedUrl } from './sigv4.js';
import { NodeSha256 } from './test-signing.js';

const creds = { accessKeyId: 'AKIDLAB', secretAccessKey: 'lab-secret' };
const opts = { service: 'kinesisvideo', region: 'us-west-2', credentials: [creds] };
const host = 'kinesisvideo.us-west-2.amazonaws.com';

/** A control-plane request signed by the official AWS SDK v3 signer, as Node would receive it. */
async function signedPost(path: string, body: string, at: Date, secret = creds.secretAccessKey) {
  const signer = new SignatureV4({ service: 'kinesisvideo', region: 'us-west-2', credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: secret }, sha256: NodeSha256 as never });
  const signed = await signer.sign(
    { method: 'POST', protocol: 'https:', hostname: host, path, headers: { host, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'x-amz-user-agent': 'aws-sdk-js/3 lab test' }, body },
    { signingDate: at },
  );
  const headers = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { method: 'POST', url: path, headers, body: Buffer.from(body) };
}

describe('SigV4 header signatures (AWS SDK v3 signer)', () => {
  const at = new Date('2026-12-01T12:00:00Z');
  it('accepts what the official signer produces', async () => {
    const req = await signedPost('/describeSignalingChannel', '{"ChannelName":"cam"}', at);
    expect(verifyHeaderSignature(req, { ...opts, nowMs: at.getTime() + 1000 })).toEqual({ ok: true, accessKeyId: 'AKIDLAB' });
  });
  it('refuses a wrong secret, a changed body and a changed header with 403', async () => {
    const wrong = await signedPost('/describeSignalingChannel', '{}', at, 'other');
    expect(verifyHeaderSignature(wrong, { ...opts, nowMs: at.getTime() })).toMatchObject({ ok: false, status: 403, errorType: 'InvalidSignatureException' });
    const req = await signedPost('/describeSignalingChannel', '{"ChannelName":"cam"}', at);
    expect(verifyHeaderSignature({ ...req, body: Buffer.from('{"ChannelName":"cax"}') }, { ...opts, nowMs: at.getTime() })).toMatchObject({ ok: false });
    expect(verifyHeaderSignature({ ...req, headers: { ...req.headers, 'content-type': 'text/plain' } }, { ...opts, nowMs: at.getTime() })).toMatchObject({ ok: false, status: 403 });
    expect(verifyHeaderSignature({ ...req, url: '/deleteSignalingChannel' }, { ...opts, nowMs: at.getTime() })).toMatchObject({ ok: false, status: 403 });
  });
  it('refuses an expired date (more than 15 minutes off), an unknown key and another region', async () => {
    const req = await signedPost('/describeSignalingChannel', '{}', at);
    expect(verifyHeaderSignature(req, { ...opts, nowMs: at.getTime() + 16 * 60_000 })).toMatchObject({ ok: false, status: 403, message: expect.stringMatching(/Signature expired/) });
    expect(verifyHeaderSignature(req, { ...opts, nowMs: at.getTime(), credentials: [{ accessKeyId: 'X', secretAccessKey: 'y' }] })).toMatchObject({ ok: false, status: 403, errorType: 'UnrecognizedClientException' });
    expect(verifyHeaderSignature(req, { ...opts, region: 'eu-west-1', nowMs: at.getTime() })).toMatchObject({ ok: false, status: 403 });
  });
  it('answers a missing or malformed Authorization header', () => {
    expect(verifyHeaderSignature({ method: 'POST', url: '/x', headers: {} }, opts)).toMatchObject({ ok: false, status: 403, errorType: 'MissingAuthenticationTokenException' });
    expect(verifyHeaderSignature({ method: 'POST', url: '/x', headers: { authorization: 'Basic abc' } }, opts)).toMatchObject({ ok: false, status: 400 });
  });
});

describe('SigV4 presigned signaling URLs (KVS WebRTC SDK signer)', () => {
  const at = new Date('2026-12-01T12:00:00Z');
  const wss = 'wss://v-lab.kinesisvideo.us-west-2.amazonaws.com';
  async function presigned(params: Record<string, string>, secret = creds.secretAccessKey) {
    const url = new URL(await new SigV4RequestSigner('us-west-2', { accessKeyId: creds.accessKeyId, secretAccessKey: secret }).getSignedURL(wss, params, at));
    return { method: 'GET', url: url.pathname + url.search, headers: { host: url.host } };
  }
  const arn = 'arn:aws:kinesisvideo:us-west-2:123456789012:channel/cam/1';
  it('accepts the master and viewer URLs the SDK signs', async () => {
    expect(verifyPresignedUrl(await presigned({ 'X-Amz-ChannelARN': arn }), { ...opts, nowMs: at.getTime() + 1000 })).toMatchObject({ ok: true });
    expect(verifyPresignedUrl(await presigned({ 'X-Amz-ChannelARN': arn, 'X-Amz-ClientId': 'viewer-1' }), { ...opts, nowMs: at.getTime() })).toMatchObject({ ok: true });
  });
  it('refuses a wrong secret, a changed client id or host, and an expired URL with 403', async () => {
    const bad = await presigned({ 'X-Amz-ChannelARN': arn }, 'other');
    expect(verifyPresignedUrl(bad, { ...opts, nowMs: at.getTime() })).toMatchObject({ ok: false, status: 403 });
    const viewer = await presigned({ 'X-Amz-ChannelARN': arn, 'X-Amz-ClientId': 'viewer-1' });
    expect(verifyPresignedUrl({ ...viewer, url: viewer.url.replace('viewer-1', 'viewer-2') }, { ...opts, nowMs: at.getTime() })).toMatchObject({ ok: false, status: 403 });
    expect(verifyPresignedUrl({ ...viewer, headers: { host: 'evil.example' } }, { ...opts, nowMs: at.getTime() })).toMatchObject({ ok: false, status: 403 });
    // The SDK signs for 299 s.
    expect(verifyPresignedUrl(viewer, { ...opts, nowMs: at.getTime() + 300_000 })).toMatchObject({ ok: false, status: 403, message: expect.stringMatching(/expired/) });
  });
});
