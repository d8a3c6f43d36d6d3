/**
 * werift's DTLS does its ECDHE on X25519 (the curve it offers first and picks as server) with
 * tweetnacl, in JavaScript: 60-70 ms of CPU per peer per handshake on this machine, most of it the
 * key pair (docs/benchmarks.md, "where a cell's CPU goes"). This swaps werift's own tweetnacl copy's
 * two X25519 calls for Node's (OpenSSL): the same curve, the same key and secret sizes, the same
 * bytes on the wire, and the same handshake; only the CPU changes. Loaded by both werift peers.
 */
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync } from 'node:crypto';
// @ts-expect-error -- werift's own copy of tweetnacl (1.0.3, not the top-level 0.14) ships no types beside nacl-fast.js.
import weriftNacl from '../../node_modules/werift/node_modules/tweetnacl/nacl-fast.js';
import { assertCheckedWerift, installedWeriftVersion } from './werift-version.js';

/** werift versions whose DTLS was read to call exactly these two tweetnacl functions for X25519. */
export const CHECKED_WERIFT_VERSIONS = ['0.25.2'];

/** The slice of tweetnacl werift's DTLS calls (cipher/namedCurve.js, cipher/prf.js). */
export interface NaclX25519 {
  box: { keyPair: { (): { publicKey: Uint8Array; secretKey: Uint8Array }; fromSecretKey(secretKey: Uint8Array): { publicKey: Uint8Array; secretKey: Uint8Array } } };
  scalarMult: { (n: Uint8Array, p: Uint8Array): Uint8Array; base(n: Uint8Array): Uint8Array };
}

// DER headers of an X25519 key (RFC 8410): PKCS#8 private key, SubjectPublicKeyInfo.
const PKCS8 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI = Buffer.from('302a300506032b656e032100', 'hex');

/** A Uint8Array that owns its whole buffer: werift reads keys back with Buffer.from(key.buffer). */
function own(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}

export function nativeKeyPair(): { publicKey: Uint8Array; secretKey: Uint8Array } {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  return {
    secretKey: own(privateKey.export({ type: 'pkcs8', format: 'der' }).subarray(PKCS8.length)),
    publicKey: own(publicKey.export({ type: 'spki', format: 'der' }).subarray(SPKI.length)),
  };
}

/** X25519(n, p), as nacl.scalarMult; OpenSSL refuses a low-order p (an all-zero secret) where tweetnacl returns zeros. */
export function nativeScalarMult(n: Uint8Array, p: Uint8Array): Uint8Array {
  if (n.length !== 32 || p.length !== 32) throw new Error(`X25519: keys are 32 bytes (got ${n.length} and ${p.length})`);
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8, n]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey({ key: Buffer.concat([SPKI, p]), format: 'der', type: 'spki' });
  return own(diffieHellman({ privateKey, publicKey }));
}

/**
 * Points `nacl`'s box.keyPair and scalarMult at OpenSSL (their other members stay tweetnacl's).
 * Idempotent. Throws on a werift it was not checked against: another version may call other
 * tweetnacl functions, or another copy, and would then silently keep the JavaScript curve.
 */
export function installNativeX25519(nacl: NaclX25519 = weriftNacl as NaclX25519, version = installedWeriftVersion()): void {
  assertCheckedWerift('peers/lib/werift-native-x25519.ts', CHECKED_WERIFT_VERSIONS, version, 'read werift\'s cipher/namedCurve.js and cipher/prf.js again (which tweetnacl they load, which functions they call), adapt peers/lib/werift-native-x25519.ts, and add the version to CHECKED_WERIFT_VERSIONS');
  if ((nacl.scalarMult as { native?: true }).native) return;
  nacl.box.keyPair = Object.assign(() => nativeKeyPair(), { fromSecretKey: nacl.box.keyPair.fromSecretKey });
  nacl.scalarMult = Object.assign((n: Uint8Array, p: Uint8Array) => nativeScalarMult(n, p), { base: nacl.scalarMult.base, native: true as const });
}

/** werift's own tweetnacl instance (the one its DTLS calls), for tests. */
export const weriftTweetnacl = weriftNacl as NaclX25519;
