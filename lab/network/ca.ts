/**
 * The lab's certificate authority, made fresh for each run with openssl: a CA certificate every
 * peer trusts through the standard knobs (caEnv), and one server certificate it issued, covering
 * every lab and mapped name and the services addresses, for coturn's TLS and for user services.
 */
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isIP } from 'node:net';
import { runCommand } from '../util/run-command.js';

export interface LabCaSpec {
  /** DNS names the server certificate covers. */
  names: string[];
  /** IPv4 addresses it covers (peers that reach TURN by address still verify it). */
  addresses: string[];
  /** Shown in the CA's subject, to tell one run's CA from another's. */
  labId: string;
}

export interface LabCa {
  caFile: string;
  certFile: string;
  keyFile: string;
  /** base64 SHA-256 of the server key's SubjectPublicKeyInfo (Chromium's --ignore-certificate-errors-spki-list). */
  spki: string;
}

/** Both certificates last two days: a run never needs more, and a leaked one is soon worthless. */
const DAYS = '2';
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** subjectAltName value: every name, then every address, each once. */
export function subjectAltName(spec: Pick<LabCaSpec, 'names' | 'addresses'>): string {
  const names = [...new Set(spec.names.map((n) => n.toLowerCase()))];
  const addresses = [...new Set(spec.addresses)];
  const bad = addresses.find((a) => isIP(a) !== 4);
  if (bad !== undefined) throw new Error(`not an IPv4 address for the lab certificate: "${bad}"`);
  if (!names.length && !addresses.length) throw new Error('the lab certificate needs at least one name or address');
  return [...names.map((n) => `DNS:${n}`), ...addresses.map((a) => `IP:${a}`)].join(',');
}

/** The two openssl commands: the CA (self-signed, may only sign), then the server certificate it signs. */
export function caCommands(dir: string, spec: LabCaSpec): { ca: string[]; server: string[]; files: Omit<LabCa, 'spki'> } {
  const files = { caFile: join(dir, 'lab-ca.pem'), certFile: join(dir, 'lab-tls-cert.pem'), keyFile: join(dir, 'lab-tls-key.pem') };
  const caKey = join(dir, 'lab-ca-key.pem');
  const ca = ['openssl', 'req', '-x509', ...EC, '-days', DAYS, '-subj', `/O=webrtc-lab/CN=webrtc-lab CA ${spec.labId}`,
    '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:0', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout', caKey, '-out', files.caFile];
  // The server key is made in-process (ensureServerKey): its hash is known before openssl runs.
  const server = ['openssl', 'req', '-x509', '-CA', files.caFile, '-CAkey', caKey, '-key', files.keyFile, '-days', DAYS, '-subj', `/O=webrtc-lab/CN=${spec.names[0] ?? spec.addresses[0]}`,
    '-addext', `subjectAltName=${subjectAltName(spec)}`, '-addext', 'basicConstraints=critical,CA:FALSE',
    '-addext', 'keyUsage=critical,digitalSignature', '-addext', 'extendedKeyUsage=serverAuth',
    '-out', files.certFile];
  return { ca, server, files };
}

export interface StartedLabCa extends LabCa {
  /** The CA file exists: processes may start with it in NODE_EXTRA_CA_CERTS. */
  caReady: Promise<void>;
  /** The server certificate exists too (coturn and services need it). */
  ready: Promise<void>;
}

/**
 * Makes the CA, then the server certificate. The paths and the server key's hash are known at once;
 * the two promises say when the files are there (the CA comes first: processes that read it at
 * start wait for it, the server certificate is made while the lab is built).
 */
export function startLabCa(dir: string, spec: LabCaSpec): StartedLabCa {
  const { ca, server, files } = caCommands(dir, spec);
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  writeFileSync(files.keyFile, keyPem, { mode: 0o600 });
  const caReady = runCommand(ca, { purpose: 'make the lab CA' }).then(() => undefined);
  // A turn later than the CA: what waits for the CA (the peers, whose load is a run's longest
  // stretch) is spawned first; spawning openssl blocks the event loop for a few ms.
  const ready = caReady
    .then(() => new Promise((resolve) => setImmediate(resolve)))
    .then(() => runCommand(server, { purpose: 'issue the lab TLS certificate' }))
    .then(() => undefined);
  caReady.catch(() => {});
  ready.catch(() => {});
  return { ...files, spki: spkiHash(keyPem), caReady, ready };
}

export async function makeLabCa(dir: string, spec: LabCaSpec): Promise<LabCa> {
  const { caReady, ready, ...ca } = startLabCa(dir, spec);
  await ready;
  return ca;
}

export function spkiHash(keyPem: string): string {
  const der = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

/**
 * What a process needs to trust the lab CA with no code change: Node (NODE_EXTRA_CA_CERTS adds it
 * to the bundled roots), OpenSSL-based programs and curl (SSL_CERT_FILE, CURL_CA_BUNDLE), Python
 * requests, and a plain path (LAB_CA_FILE) for anything else. Chromium takes flags instead
 * (chromiumTrustFlags).
 */
export function caEnv(ca: LabCa): Record<string, string> {
  return {
    LAB_CA_FILE: ca.caFile,
    NODE_EXTRA_CA_CERTS: ca.caFile,
    SSL_CERT_FILE: ca.caFile,
    CURL_CA_BUNDLE: ca.caFile,
    REQUESTS_CA_BUNDLE: ca.caFile,
    LAB_TLS_SPKI: ca.spki,
  };
}

/** What a service needs to serve https/wss itself under the lab's names. */
export function serviceTlsEnv(ca: LabCa): Record<string, string> {
  return { ...caEnv(ca), LAB_TLS_CERT: ca.certFile, LAB_TLS_KEY: ca.keyFile };
}

/**
 * Chromium on Linux trusts an NSS database, not a CA file; without certutil (libnss3-tools) to
 * build one, it is told to accept the lab's server key. Every lab name is served with that one key.
 */
export function chromiumTrustFlags(spki: string): string[] {
  return [`--ignore-certificate-errors-spki-list=${spki}`];
}
