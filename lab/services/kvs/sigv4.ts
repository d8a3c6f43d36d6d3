/**
 * AWS Signature Version 4 verification for the KVS emulator, for both forms the SDKs use:
 * an `Authorization: AWS4-HMAC-SHA256 ...` header (control plane, AWS SDK v3) and a presigned
 * query string (the signaling WebSocket URL of the KVS WebRTC SDK). Only static credentials:
 * the secret of an access key id is looked up in the emulator's configuration.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface SigV4Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface SigV4Request {
  method: string;
  /** Path and query as received (`/path?a=b`). */
  url: string;
  /** Header names lower-case, as Node gives them. */
  headers: Record<string, string | string[] | undefined>;
  body?: Buffer;
}

export type SigV4Check = { ok: true; accessKeyId: string } | { ok: false; status: 400 | 403; errorType: string; message: string };

export interface VerifyOptions {
  service: string;
  region: string;
  credentials: SigV4Credentials[];
  nowMs?: number;
  /** Allowed clock skew of a header-signed request (AWS: 15 minutes). */
  maxSkewMs?: number;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const FIFTEEN_MINUTES = 15 * 60_000;

/** RFC 3986 encoding as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: Buffer | string, text: string): Buffer {
  return createHmac('sha256', key).update(text).digest();
}

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}

/** `yyyymmddThhmmssZ` -> epoch ms, or NaN. */
export function parseAmzDate(text: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : NaN;
}

/** Canonical query: every pair decoded then re-encoded, sorted by key then value. */
function canonicalQuery(query: string, drop?: string): string {
  const pairs: [string, string][] = [];
  for (const part of query.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const key = decode(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : decode(part.slice(eq + 1));
    if (key !== drop) pairs.push([uriEncode(key), uriEncode(value)]);
  }
  pairs.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, '%20'));
  } catch {
    return text;
  }
}

/** Each path segment normalized to SigV4's encoding (AWS services other than S3 encode it once more; the SDKs sign the path as sent). */
function canonicalPath(path: string): string {
  return path.split('/').map((s) => uriEncode(decode(s))).join('/') || '/';
}

function headerValue(headers: SigV4Request['headers'], name: string): string | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  return (Array.isArray(v) ? v.join(',') : v).trim().replace(/\s+/g, ' ');
}

function canonicalRequest(req: SigV4Request, signedHeaders: string[], payloadHash: string, dropFromQuery?: string): string | null {
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const query = q < 0 ? '' : req.url.slice(q + 1);
  const lines: string[] = [];
  for (const h of signedHeaders) {
    const v = headerValue(req.headers, h);
    if (v === undefined) return null;
    lines.push(`${h}:${v}\n`);
  }
  return [req.method, canonicalPath(path), canonicalQuery(query, dropFromQuery), lines.join(''), signedHeaders.join(';'), payloadHash].join('\n');
}

interface Scope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

function parseCredential(text: string): Scope | null {
  const parts = text.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request') return null;
  return { accessKeyId: parts[0], date: parts[1], region: parts[2], service: parts[3] };
}

const deny = (message: string, errorType = 'AccessDeniedException', status: 400 | 403 = 403): SigV4Check => ({ ok: false, status, errorType, message });

function checkScope(scope: Scope | null, amzDate: string, o: VerifyOptions): SigV4Check | SigV4Credentials {
  if (!scope) return deny('Credential should be scoped to a valid region, service and date: AKID/yyyymmdd/region/service/aws4_request', 'IncompleteSignatureException', 400);
  const creds = o.credentials.find((c) => c.accessKeyId === scope.accessKeyId);
  if (!creds) return deny('The security token included in the request is invalid.', 'UnrecognizedClientException');
  if (scope.service !== o.service) return deny(`Credential should be scoped to correct service: '${o.service}'.`, 'InvalidSignatureException');
  if (scope.region !== o.region) return deny(`Credential should be scoped to a valid region, not '${scope.region}'.`, 'InvalidSignatureException');
  if (!amzDate.startsWith(scope.date)) return deny('Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.', 'InvalidSignatureException');
  return creds;
}

function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function signatureFor(creds: SigV4Credentials, scope: Scope, amzDate: string, canonical: string): string {
  const stringToSign = [ALGORITHM, amzDate, `${scope.date}/${scope.region}/${scope.service}/aws4_request`, sha256Hex(canonical)].join('\n');
  return createHmac('sha256', signingKey(creds.secretAccessKey, scope.date, scope.region, scope.service)).update(stringToSign).digest('hex');
}

/** A request signed in its Authorization header (the body's hash is recomputed, not trusted). */
export function verifyHeaderSignature(req: SigV4Request, o: VerifyOptions): SigV4Check {
  const auth = headerValue(req.headers, 'authorization');
  if (!auth) return deny('Missing Authentication Token', 'MissingAuthenticationTokenException');
  const m = /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return deny(`Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' (${ALGORITHM}).`, 'IncompleteSignatureException', 400);
  const amzDate = headerValue(req.headers, 'x-amz-date') ?? '';
  const at = parseAmzDate(amzDate);
  if (Number.isNaN(at)) return deny("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.", 'IncompleteSignatureException', 400);
  const scope = parseCredential(m[1]);
  const creds = checkScope(scope, amzDate, o);
  if ('ok' in creds) return creds;
  const now = o.nowMs ?? Date.now();
  const skew = o.maxSkewMs ?? FIFTEEN_MINUTES;
  if (Math.abs(now - at) > skew) return deny(`Signature expired: ${amzDate} is now earlier than ${toAmzDate(now - skew)} (${toAmzDate(now)} - 15 min.)`, 'InvalidSignatureException');
  const signed = m[2].split(';');
  if (!signed.includes('host')) return deny("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.", 'InvalidSignatureException');
  const payloadHash = sha256Hex(req.body ?? Buffer.alloc(0));
  const given = headerValue(req.headers, 'x-amz-content-sha256');
  if (given && given !== 'UNSIGNED-PAYLOAD' && given !== payloadHash) return deny('The provided x-amz-content-sha256 header does not match what was computed.', 'InvalidSignatureException', 400);
  const canonical = canonicalRequest(req, signed, given === 'UNSIGNED-PAYLOAD' ? given : payloadHash);
  if (canonical === null) return deny('A header named in SignedHeaders is missing from the request.', 'InvalidSignatureException');
  if (!sameSignature(signatureFor(creds, scope!, amzDate, canonical), m[3])) return deny('The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.', 'InvalidSignatureException');
  return { ok: true, accessKeyId: creds.accessKeyId };
}

/** A presigned URL (X-Amz-* query parameters; payload hash of an empty body, as the KVS SDK signs it). */
export function verifyPresignedUrl(req: SigV4Request, o: VerifyOptions): SigV4Check {
  const q = req.url.indexOf('?');
  const params = new URLSearchParams(q < 0 ? '' : req.url.slice(q + 1));
  if (params.get('X-Amz-Algorithm') !== ALGORITHM) return deny(`X-Amz-Algorithm must be ${ALGORITHM}`, 'IncompleteSignatureException', 400);
  const amzDate = params.get('X-Amz-Date') ?? '';
  const at = parseAmzDate(amzDate);
  const expires = Number(params.get('X-Amz-Expires') ?? '');
  const signature = params.get('X-Amz-Signature') ?? '';
  const signedText = params.get('X-Amz-SignedHeaders') ?? '';
  if (Number.isNaN(at) || !Number.isInteger(expires) || expires < 1 || expires > 604800 || !/^[0-9a-f]{64}$/.test(signature) || !signedText) {
    return deny('The presigned URL needs X-Amz-Date, X-Amz-Expires (1-604800), X-Amz-SignedHeaders and X-Amz-Signature.', 'IncompleteSignatureException', 400);
  }
  const scope = parseCredential(params.get('X-Amz-Credential') ?? '');
  const creds = checkScope(scope, amzDate, o);
  if ('ok' in creds) return creds;
  const now = o.nowMs ?? Date.now();
  if (now > at + expires * 1000) return deny(`Signature expired: the URL signed at ${amzDate} expired after ${expires} s.`, 'InvalidSignatureException');
  if (at - now > FIFTEEN_MINUTES) return deny(`Signature not yet current: ${amzDate} is still later than ${toAmzDate(now + FIFTEEN_MINUTES)}.`, 'InvalidSignatureException');
  const signed = signedText.split(';');
  if (!signed.includes('host')) return deny("'Host' must be a signed header.", 'InvalidSignatureException');
  const canonical = canonicalRequest(req, signed, sha256Hex(''), 'X-Amz-Signature');
  if (canonical === null) return deny('A header named in X-Amz-SignedHeaders is missing from the request.', 'InvalidSignatureException');
  if (!sameSignature(signatureFor(creds, scope!, amzDate, canonical), signature)) return deny('The request signature we calculated does not match the signature you provided.', 'InvalidSignatureException');
  return { ok: true, accessKeyId: creds.accessKeyId };
}

export function toAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}
