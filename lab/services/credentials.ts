/**
 * Credentials the lab hands out: signaling join tokens (bound to one room and one peer, short-lived)
 * and TURN REST API credentials for coturn's --use-auth-secret (time-limited, no static passwords).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** `<expiry-unix>.<base64url HMAC-SHA256(secret, room:peer:expiry)>` */
export function signJoinToken(secret: string, room: string, peer: string, ttlSeconds: number, nowMs = Date.now()): string {
  const expiry = Math.floor(nowMs / 1000) + ttlSeconds;
  return `${expiry}.${mac(secret, `${room}:${peer}:${expiry}`)}`;
}

export type TokenCheck = { ok: true } | { ok: false; reason: string };

export function verifyJoinToken(secret: string, room: string, peer: string, token: string, nowMs = Date.now()): TokenCheck {
  const [expiryText, sig, ...rest] = token.split('.');
  if (!expiryText || !sig || rest.length || !/^\d+$/.test(expiryText)) return { ok: false, reason: 'malformed token' };
  const expected = Buffer.from(mac(secret, `${room}:${peer}:${expiryText}`));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: `token is not valid for room "${room}" and peer "${peer}"` };
  if (Number(expiryText) * 1000 < nowMs) return { ok: false, reason: 'token expired' };
  return { ok: true };
}

function mac(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('base64url');
}

export interface TurnCredential {
  username: string;
  password: string;
  ttlSeconds: number;
}

/** coturn's TURN REST scheme: username "<expiry>:<id>", password base64(HMAC-SHA1(secret, username)). */
export function turnCredential(secret: string, id: string, ttlSeconds: number, nowMs = Date.now()): TurnCredential {
  const username = `${Math.floor(nowMs / 1000) + ttlSeconds}:${id}`;
  return { username, password: createHmac('sha1', secret).update(username).digest('base64'), ttlSeconds };
}
