/** Test helpers: requests signed by the official signers (AWS SDK v3, KVS WebRTC SDK), for the emulator's tests. */
import { request } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { SigV4RequestSigner } from 'amazon-kinesis-video-streams-webrtc/lib/SigV4RequestSigner.js';
import type { SigV4Credentials } from './sigv4.js';
import { NodeSha256 } from '../../../peers/lib/node-sha256.js';

export { NodeSha256 };

export interface AwsAnswer {
  status: number;
  errorType?: string;
  body: Record<string, unknown>;
  headers?: Record<string, unknown>;
}

/** POSTs a JSON body to 127.0.0.1:port, signed for `host` as AWS SDK v3 signs it. */
export async function awsPost(port: number, path: string, body: unknown, creds: SigV4Credentials, o: { region?: string; at?: Date; host?: string; raw?: boolean } = {}): Promise<AwsAnswer> {
  const host = o.host ?? `127.0.0.1:${port}`;
  const text = JSON.stringify(body);
  const signer = new SignatureV4({ service: 'kinesisvideo', region: o.region ?? 'us-west-2', credentials: creds, sha256: NodeSha256 as never });
  const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: host, path, headers: { host, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) }, body: text }, { signingDate: o.at ?? new Date() });
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path, headers: signed.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, errorType: res.headers['x-amzn-errortype'] as string | undefined, body: JSON.parse(Buffer.concat(chunks).toString() || '{}'), ...(o.raw ? { headers: res.headers } : {}) }));
    });
    req.once('error', reject);
    req.end(text);
  });
}

/** The signaling URL the KVS SDK would open, as ws:// for a plain loopback server (the signature covers host and query only). */
export async function presignedUrl(port: number, params: Record<string, string>, creds: SigV4Credentials, at = new Date()): Promise<string> {
  return (await new SigV4RequestSigner('us-west-2', creds).getSignedURL(`wss://127.0.0.1:${port}`, params, at)).replace(/^wss:/, 'ws:');
}
