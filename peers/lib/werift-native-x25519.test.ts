import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CHECKED_WERIFT_VERSIONS, installNativeX25519, nativeKeyPair, nativeScalarMult, weriftTweetnacl, type NaclX25519 } from './werift-native-x25519.js';

// tweetnacl's own functions, taken before any install (installing on a copy leaves these alone).
const js = { keyPair: weriftTweetnacl.box.keyPair, scalarMult: weriftTweetnacl.scalarMult };

describe('native X25519 for werift DTLS', () => {
  it('makes key pairs tweetnacl agrees with, in buffers werift can read back whole', () => {
    for (let i = 0; i < 20; i++) {
      const k = nativeKeyPair();
      expect(Buffer.from(k.publicKey)).toEqual(Buffer.from(js.scalarMult.base(k.secretKey)));
      // werift: Buffer.from(keys.secretKey.buffer)
      expect(Buffer.from(k.secretKey.buffer).length).toBe(32);
      expect(Buffer.from(k.publicKey.buffer).length).toBe(32);
    }
  });

  it('computes the same shared secret as tweetnacl, both ways', () => {
    for (let i = 0; i < 20; i++) {
      const a = js.keyPair();
      const b = nativeKeyPair();
      const secret = Buffer.from(nativeScalarMult(a.secretKey, b.publicKey));
      expect(secret).toEqual(Buffer.from(js.scalarMult(a.secretKey, b.publicKey)));
      expect(secret).toEqual(Buffer.from(nativeScalarMult(b.secretKey, a.publicKey)));
      expect(secret).toEqual(Buffer.from(js.scalarMult(b.secretKey, a.publicKey)));
    }
  });

  it('refuses keys of the wrong size', () => {
    expect(() => nativeScalarMult(new Uint8Array(31), new Uint8Array(32))).toThrow(/32 bytes/);
  });

  it('replaces only keyPair and scalarMult, once', () => {
    const copy = { box: { keyPair: js.keyPair }, scalarMult: js.scalarMult } as NaclX25519;
    installNativeX25519(copy);
    const replaced = copy.scalarMult;
    installNativeX25519(copy);
    expect(copy.scalarMult).toBe(replaced);
    expect(copy.scalarMult).not.toBe(js.scalarMult);
    expect(copy.scalarMult.base).toBe(js.scalarMult.base);
    expect(copy.box.keyPair.fromSecretKey).toBe(js.keyPair.fromSecretKey);
    const a = copy.box.keyPair();
    const b = js.keyPair();
    expect(Buffer.from(copy.scalarMult(a.secretKey, b.publicKey))).toEqual(Buffer.from(js.scalarMult(b.secretKey, a.publicKey)));
  });

  it('patches the tweetnacl copy werift itself loads', () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const require = createRequire(import.meta.url);
    // Node looks tweetnacl up from werift's own files: its nested copy.
    const theirs = require.resolve('tweetnacl', { paths: [dirname(require.resolve('werift'))] });
    expect(theirs).toBe(require.resolve(join(here, '../../node_modules/werift/node_modules/tweetnacl/nacl-fast.js')));
  });

  it('refuses a werift it was not checked against, and leaves tweetnacl alone then', () => {
    const copy = { box: { keyPair: js.keyPair }, scalarMult: js.scalarMult } as NaclX25519;
    expect(() => installNativeX25519(copy, '0.26.0')).toThrow(/werift 0\.26\.0 is not a version this patch was checked against \(0\.25\.2\)/);
    expect(copy.scalarMult).toBe(js.scalarMult);
    expect(CHECKED_WERIFT_VERSIONS).toContain('0.25.2');
  });
});
