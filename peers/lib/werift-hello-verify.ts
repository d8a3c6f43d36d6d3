/**
 * A runtime patch to werift's DTLS client (its exported `DtlsClient`): a HelloVerifyRequest that
 * repeats the one already answered is a retransmission to ignore, not a fatal error.
 *
 * Why: werift's client answers a HelloVerifyRequest in `Flight3.exec`, which throws when flight 3 was
 * already sent (`if (this.dtls.flight === 3) throw new Error()`). The throw reaches the socket's
 * `onError`, and `RTCDtlsTransport` goes `failed`: SRTP never starts, so no video, while the handshake
 * itself goes on (SCTP and data channels still open, which is why the wire sees DTLS both ways).
 * A second HelloVerifyRequest is ordinary DTLS (RFC 6347 §4.2.1: the server answers every ClientHello
 * without a cookie): when the client takes longer than its 500 ms flight-1 timer to handle the first
 * one, it resends its ClientHello and the server answers again. A busy camera with ten handshakes at
 * once (multi-viewer) hits that: docs/werift-0.25.md has the logs and counts.
 *
 * Only a repeat with the cookie the client already used is dropped (a werift server keeps one cookie
 * per session: `dtls.cookie ||= randomBytes(20)`); any other HelloVerifyRequest reaches werift as before.
 *
 * It relies on werift internals, so it refuses any werift version it was not checked against and a
 * DtlsClient without the members it uses: an upgrade fails at peer start, with this file's name.
 */
import { DtlsClient } from 'werift';
import { assertCheckedWerift, installedWeriftVersion } from './werift-version.js';

/** werift versions whose DTLS client (DtlsClient.handleHandshakes, Flight3.exec in lib/index.mjs) was read for this patch. */
export const CHECKED_WERIFT_VERSIONS = ['0.25.2'];

const HELLO_VERIFY_REQUEST = 3;

/** One assembled handshake message, as werift's DTLS socket hands it to `onHandleHandshakes`. */
export interface AssembledHandshake {
  msg_type: number;
  fragment: Buffer;
}

/** The members of werift's DTLS client the patch reads or wraps (private in its types). */
interface ClientInternals {
  dtls: { flight: number; cookie?: Buffer };
  onHandleHandshakes: (assembled: AssembledHandshake[]) => Promise<void>;
  connect(): Promise<void>;
}

/** The cookie of a HelloVerifyRequest body (server_version: 2 bytes, cookie: 1 length byte + bytes), or null if it is cut short. */
export function helloVerifyCookie(body: Buffer): Buffer | null {
  if (body.length < 3 || body.length < 3 + body[2]) return null;
  return body.subarray(3, 3 + body[2]);
}

/** Whether `h` is a HelloVerifyRequest repeating the cookie the client already answered with its flight 3. Pure. */
export function isRepeatedHelloVerify(h: AssembledHandshake, dtls: ClientInternals['dtls']): boolean {
  if (h.msg_type !== HELLO_VERIFY_REQUEST || dtls.flight < 3 || !dtls.cookie) return false;
  const cookie = helloVerifyCookie(h.fragment);
  return cookie !== null && cookie.equals(dtls.cookie);
}

const PATCHED = Symbol.for('webrtc-lab.werift-hello-verify');

export type RepeatListener = (client: DtlsClient) => void;
const listeners = new Set<RepeatListener>();

/** Calls `listener` each time a DTLS client of this process drops a repeated HelloVerifyRequest; returns the unsubscribe. */
export function onRepeatedHelloVerify(listener: RepeatListener): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

/**
 * Installs the patch on werift's DtlsClient prototype, once per process; throws, naming what to
 * re-check, when werift is not a version it was checked against or lacks a member it uses.
 */
export function installWeriftHelloVerify(version = installedWeriftVersion()): void {
  const hint = 'read werift\'s DtlsClient.handleHandshakes and Flight3.exec (node_modules/werift/lib/index.mjs) again, adapt peers/lib/werift-hello-verify.ts or drop it if a repeated HelloVerifyRequest no longer fails the handshake, and add the version to CHECKED_WERIFT_VERSIONS';
  assertCheckedWerift('peers/lib/werift-hello-verify.ts', CHECKED_WERIFT_VERSIONS, version, hint);
  const proto = DtlsClient.prototype as unknown as ClientInternals & { [PATCHED]?: true };
  if (proto[PATCHED]) return;
  if (typeof proto.connect !== 'function') throw new Error(`peers/lib/werift-hello-verify.ts: werift ${version}'s DtlsClient has no connect: ${hint}`);
  const connect = proto.connect;
  // handleHandshakes is an instance field, set in the constructor: wrap it on the live client, before
  // connect sends the ClientHello that any HelloVerifyRequest answers.
  proto.connect = function (this: ClientInternals) {
    const handle = this.onHandleHandshakes;
    if (typeof handle !== 'function' || typeof this.dtls?.flight !== 'number') throw new Error(`peers/lib/werift-hello-verify.ts: werift ${version}'s DtlsClient has no onHandleHandshakes or dtls.flight: ${hint}`);
    this.onHandleHandshakes = (assembled) => {
      const kept = assembled.filter((h) => !isRepeatedHelloVerify(h, this.dtls));
      if (kept.length < assembled.length) for (const l of listeners) l(this as unknown as DtlsClient);
      return kept.length ? handle(kept) : Promise.resolve();
    };
    return connect.call(this);
  };
  proto[PATCHED] = true;
}
