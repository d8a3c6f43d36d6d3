/**
 * The lab's signaling protocol over WebSocket (JSON text frames).
 *
 * Connect: ws://<host>:<port>/signaling?room=<room>&peer=<peer-id>&token=<join token>
 * Client -> server: {type: "offer"|"answer", to, sdp} | {type: "candidate", to, candidate}
 *                   | {type: "end-of-candidates", to} | {type: "bye", to}
 *                   | {type: "tunnel", to, data}: an opaque payload between two peers of the room (the
 *                     WHEP viewer reaches the camera's HTTP server through it: docs/protocols.md)
 * Server -> client: the same with `from` in place of `to`; {type: "welcome", room, peer, peers};
 *                   {type: "peer-joined"|"peer-left", peer}; {type: "error", code, message}.
 * Messages to a peer of the room that has not connected yet are queued and delivered on connect.
 */
import { z } from 'zod';

export const MAX_MESSAGE_BYTES = 64 * 1024;

const peerId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

export const candidateSchema = z.strictObject({
  candidate: z.string().max(1024),
  sdpMid: z.string().max(32).nullable().optional(),
  sdpMLineIndex: z.number().int().min(0).max(64).nullable().optional(),
  usernameFragment: z.string().max(256).nullable().optional(),
});

export const clientMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('offer'), to: peerId, sdp: z.string().max(MAX_MESSAGE_BYTES) }),
  z.strictObject({ type: z.literal('answer'), to: peerId, sdp: z.string().max(MAX_MESSAGE_BYTES) }),
  z.strictObject({ type: z.literal('candidate'), to: peerId, candidate: candidateSchema }),
  z.strictObject({ type: z.literal('end-of-candidates'), to: peerId }),
  z.strictObject({ type: z.literal('bye'), to: peerId }),
  z.strictObject({ type: z.literal('tunnel'), to: peerId, data: z.string().max(MAX_MESSAGE_BYTES) }),
]);

export type ClientMessage = z.infer<typeof clientMessageSchema>;
export type CandidateInit = z.infer<typeof candidateSchema>;

/** A relayed message as the recipient sees it. */
export type RelayedMessage = Omit<ClientMessage, 'to'> & { from: string };

export type ServerMessage =
  | RelayedMessage
  | { type: 'welcome'; room: string; peer: string; peers: string[] }
  | { type: 'peer-joined' | 'peer-left'; peer: string }
  | { type: 'error'; code: SignalingErrorCode; message: string };

export type SignalingErrorCode = 'too-large' | 'bad-json' | 'bad-message' | 'unknown-peer' | 'queue-full' | 'internal';
