// werift's real DTLS client and server over an in-memory link. The server's first answers are held
// until the client has resent its ClientHello (as a busy camera does when it takes over 500 ms to
// handle the HelloVerifyRequest), so the client then gets two HelloVerifyRequests back to back.
import { describe, expect, it } from 'vitest';
import { CipherContext, DtlsClient, DtlsServer, HashAlgorithm, NamedCurveAlgorithm, ProtectionProfileAes128CmHmacSha1_80, SignatureAlgorithm } from 'werift';
import { CHECKED_WERIFT_VERSIONS, helloVerifyCookie, installWeriftHelloVerify, isRepeatedHelloVerify, onRepeatedHelloVerify } from './werift-hello-verify.js';

interface FakeTransport {
  type: string;
  address: object;
  onData: (buf: Buffer) => void;
  send(buf: Buffer): Promise<void>;
  close(): Promise<void>;
}

/**
 * Two ends of a link. Packets from the server to the client wait until the client has sent
 * `holdUntilClientSent` packets, then go in order; everything else is delivered on the next turn.
 */
function link(holdUntilClientSent: number) {
  let clientSent = 0;
  const held: Buffer[] = [];
  const end = (deliver: (buf: Buffer) => void): FakeTransport => ({ type: 'fake', address: {}, onData: () => {}, send: async (buf) => deliver(Buffer.from(buf)), close: async () => {} });
  const client = end((buf) => {
    clientSent++;
    setImmediate(() => server.onData(buf));
    if (clientSent >= holdUntilClientSent) for (const b of held.splice(0)) setImmediate(() => client.onData(b));
  });
  const server = end((buf) => {
    if (clientSent < holdUntilClientSent) held.push(buf);
    else setImmediate(() => client.onData(buf));
  });
  return { client, server, clientSent: () => clientSent };
}

async function handshake(holdUntilClientSent: number): Promise<{ connected: boolean; errors: unknown[]; clientHellosSent: number }> {
  const { certPem, keyPem, signatureHash } = await CipherContext.createSelfSignedCertificateWithKey({ signature: SignatureAlgorithm.ecdsa_3, hash: HashAlgorithm.sha256_4 }, NamedCurveAlgorithm.secp256r1_23);
  const t = link(holdUntilClientSent);
  const common = { cert: certPem, key: keyPem, signatureHash, srtpProfiles: [ProtectionProfileAes128CmHmacSha1_80], extendedMasterSecret: true };
  const server = new DtlsServer({ ...common, transport: t.server as never, certificateRequest: true });
  const client = new DtlsClient({ ...common, transport: t.client as never });
  const errors: unknown[] = [];
  client.onError.subscribe((e) => void errors.push(e));
  const connected = new Promise<boolean>((resolve) => {
    client.onConnect.once(() => resolve(true));
    client.onError.once(() => resolve(false));
    setTimeout(() => resolve(false), 8000);
  });
  void client.connect().catch((e) => void errors.push(e));
  const ok = await connected;
  const clientHellosSent = t.clientSent();
  await Promise.all([client.close(), server.close()]);
  return { connected: ok, errors, clientHellosSent };
}

describe('werift 0.25.2 DTLS client, two HelloVerifyRequests with the same cookie', () => {
  it('unpatched: the repeat fails the handshake (what multi-viewer hit)', async () => {
    const r = await handshake(2);
    expect(r.clientHellosSent).toBeGreaterThanOrEqual(2);
    expect(r.connected).toBe(false);
    expect(r.errors.length).toBeGreaterThan(0);
  }, 10_000);

  it('patched: the repeat is ignored and the handshake completes', async () => {
    installWeriftHelloVerify();
    let dropped = 0;
    const unwatch = onRepeatedHelloVerify(() => void dropped++);
    const r = await handshake(2);
    unwatch();
    expect(r.clientHellosSent).toBeGreaterThanOrEqual(2);
    expect(r.errors).toEqual([]);
    expect(r.connected).toBe(true);
    expect(dropped).toBe(1);
  }, 10_000);

  it('patched, nothing held: an ordinary handshake still completes', async () => {
    installWeriftHelloVerify();
    let dropped = 0;
    const unwatch = onRepeatedHelloVerify(() => void dropped++);
    const r = await handshake(0);
    unwatch();
    expect(r).toMatchObject({ connected: true, errors: [] });
    expect(dropped).toBe(0);
  }, 10_000);
});

describe('isRepeatedHelloVerify', () => {
  const cookie = Buffer.from('0123456789abcdef0123', 'hex');
  const hvr = (c: Buffer) => ({ msg_type: 3, fragment: Buffer.concat([Buffer.from([0xfe, 0xfd, c.length]), c]) });
  it('drops only a HelloVerifyRequest with the cookie already used, after flight 3 was sent', () => {
    expect(helloVerifyCookie(hvr(cookie).fragment)).toEqual(cookie);
    expect(helloVerifyCookie(Buffer.from([0xfe, 0xfd, 5, 1]))).toBeNull();
    expect(isRepeatedHelloVerify(hvr(cookie), { flight: 3, cookie })).toBe(true);
    expect(isRepeatedHelloVerify(hvr(cookie), { flight: 5, cookie })).toBe(true);
    expect(isRepeatedHelloVerify(hvr(cookie), { flight: 1, cookie: undefined })).toBe(false);
    expect(isRepeatedHelloVerify(hvr(Buffer.from('ff', 'hex')), { flight: 3, cookie })).toBe(false);
    expect(isRepeatedHelloVerify({ msg_type: 2, fragment: hvr(cookie).fragment }, { flight: 3, cookie })).toBe(false);
  });
});

describe('installWeriftHelloVerify', () => {
  it('refuses a werift version it was not checked against, saying what to re-read', () => {
    expect(CHECKED_WERIFT_VERSIONS).toContain('0.25.2');
    expect(() => installWeriftHelloVerify('0.26.0')).toThrow(/werift 0\.26\.0 is not a version this patch was checked against \(0\.25\.2\).*Flight3\.exec/);
  });
});
