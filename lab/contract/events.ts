/**
 * The peer contract's events (peers/README.md): the closed list of names and one zod schema per
 * event, joined in a discriminated union on `event`. The lab checks every stdout line of a peer
 * against it; the shipped peers type their `emit` calls with it; peers/contract.schema.json (for
 * peers in other languages) is generated from it.
 *
 * Objects are loose: a peer may add fields of its own to any event. Event names outside the list
 * must start with "x-" (a peer's own events, kept in the result but never read by the lab).
 */
import { z } from 'zod';

/** One end of a candidate pair, in the W3C stats' words. */
export const candidateViewSchema = z.object({
  candidateType: z.string().describe('host | srflx | prflx | relay (or unknown)'),
  protocol: z.string().describe('udp or tcp, lower case'),
  address: z.string(),
  port: z.number(),
  relayProtocol: z.string().nullable().describe('TURN transport of a relay candidate: udp, tcp or tls'),
});

export const pairViewSchema = z.object({
  local: candidateViewSchema,
  remote: candidateViewSchema,
  rttMs: z.number().nullable(),
});

export const pairReportSchema = z.object({
  local: candidateViewSchema,
  remote: candidateViewSchema,
  state: z.string(),
  nominated: z.boolean(),
  requestsSent: z.number().nullable(),
  responsesReceived: z.number().nullable(),
});

export type CandidateView = z.infer<typeof candidateViewSchema>;
export type PairView = z.infer<typeof pairViewSchema>;
export type PairReport = z.infer<typeof pairReportSchema>;

/**
 * Fields of every event, beside `t` and `event`; `session` is optional unless listed. Made on first
 * use, like the schemas below: building ~200 zod schemas took ~3 ms of every CLI start, before the
 * run began, and the first peer line comes ~150 ms into it.
 */
function buildEventFields() {
  const session = z.string().describe('the far peer of the connection this event is about');
  const role = z.enum(['viewer', 'camera']);
  return {
    started: {
      peer: z.string().optional(),
      stack: z.string(),
      role: role.optional(),
      profile: z.string().optional(),
      profileLevelId: z.string().optional(),
      frames: z.number().optional(),
      fps: z.number().optional(),
      codec: z.string().optional().describe('a camera: the video codec it sends (H264, VP8)'),
    },
    'signaling-connected': {},
    'signaling-closed': { code: z.number().describe('WebSocket close code the server sent, e.g. 4001 replaced by a rejoin, 1008 over the send budget'), reason: z.string() },
    'signaling-error': { code: z.union([z.string(), z.number()]).optional(), message: z.string().optional() },
    /**
     * One step of the signaling protocol's own exchange (an MQTT subscribe or publish, a WHEP
     * request, a KVS control-plane call): the timeline and --explain tell them in order.
     */
    'signaling-step': {
      protocol: z.string().describe('the scenario\'s signaling: mqtt, whep, kvs, ...'),
      step: z.string().describe("the protocol's own word for the step: subscribe, publish, receive, POST, PATCH, DELETE, GetSignalingChannelEndpoint, ..."),
      detail: z.string().describe('what was exchanged, in words, with its values (topic and QoS, status and Location, ...); reports print it after the peer\'s name'),
      status: z.number().optional().describe('an HTTP status (WHEP, KVS)'),
      series: z.boolean().optional().describe('one of a run of like steps (a trickled candidate each): reports count them instead of listing each'),
    },
    'ice-config-fetched': { iceServers: z.array(z.string()), ttl: z.number().optional() },
    'offer-sent': { session, trickle: z.boolean().optional() },
    'offer-received': { session },
    'answer-sent': { session, trickle: z.boolean().optional() },
    'answer-received': { session },
    'local-description': { session, type: z.enum(['offer', 'answer']), sdp: z.string() },
    'local-candidate': { session, candidate: z.string().describe('SDP candidate line') },
    'remote-candidate': { session, candidate: z.string().describe('SDP candidate line') },
    'gathering-complete': { session },
    'ice-state': { session, state: z.string().describe('ICE connection state: checking, connected, ...') },
    'connection-state': { session, state: z.string() },
    'dtls-connected': { session },
    'datachannel-open': { session },
    telemetry: { session, sample: z.unknown() },
    'media-started': { session },
    'first-frame': {
      session,
      bytes: z.number().optional().describe('werift viewers: size of the reassembled IDR frame'),
      framesBefore: z.number().optional(),
      width: z.number().optional().describe('browsers: the decoded frame'),
      height: z.number().optional(),
      decoder: z.string().optional(),
    },
    'pli-sent': { session },
    'pli-received': { session },
    'candidate-pairs': { session, pairs: z.array(pairReportSchema) },
    'selected-pair': { session, pair: pairViewSchema.nullable() },
    'viewer-left': { session },
    'frame-rate': { session, frames: z.number().describe('whole frames received in the window'), windowMs: z.number().describe('length of the window (about 1000 ms)') },
    'media-gap': {
      session,
      fromT: z.number().describe('CLOCK_MONOTONIC ms of the last frame before the gap'),
      toT: z.number().describe('of the first frame after it (or the end of the hold, when ongoing)'),
      ongoing: z.boolean().optional().describe('no frame came back before the hold ended'),
    },
    'ice-restart': {
      session,
      attempt: z.number(),
      reason: z.string().describe('why: ICE failed, no frames for N ms, the last restart did not connect'),
      method: z.enum(['restart-ice', 'new-peer-connection']).describe('an ICE restart on the same connection, or a new connection negotiated through signaling'),
    },
    warning: { message: z.string() },
    error: { message: z.string(), stage: z.string().optional() },
    done: { ok: z.boolean(), sessions: z.number().optional() },
  } satisfies Record<string, z.ZodRawShape>;
}

type EventFieldShapes = ReturnType<typeof buildEventFields>;
let eventFieldShapes: EventFieldShapes | undefined;
const eventFields = (): EventFieldShapes => (eventFieldShapes ??= buildEventFields());

export type EventName = keyof EventFieldShapes;
/** The contract's event names, in the order of its list. */
export function eventNames(): EventName[] {
  return Object.keys(eventFields()) as EventName[];
}

/** A peer's own event, outside the closed list. */
export const CUSTOM_EVENT_PREFIX = 'x-';

function buildBase() {
  return {
    t: z.number().describe('CLOCK_MONOTONIC milliseconds (shared by every process on the machine)'),
    session: z.string().describe('the far peer of the connection this event is about').optional(),
  };
}
let baseShape: ReturnType<typeof buildBase> | undefined;
const base = () => (baseShape ??= buildBase());

function variant<N extends EventName>(name: N) {
  return z.looseObject({ ...base(), event: z.literal(name), ...eventFields()[name] });
}

type Variants = { [N in EventName]: ReturnType<typeof variant<N>> };
const variants: Partial<Variants> = {};

function buildPeerEventSchema() {
  const all = eventNames().map((n) => eventSchema(n));
  return z.discriminatedUnion('event', all as [Variants[EventName], ...Variants[EventName][]]);
}
let union: ReturnType<typeof buildPeerEventSchema> | undefined;
/** Every event of the contract, discriminated by `event`. */
export function peerEventSchema(): ReturnType<typeof buildPeerEventSchema> {
  return (union ??= buildPeerEventSchema());
}

function buildCustomEventSchema() {
  return z.looseObject({
    ...base(),
    event: z.string().regex(new RegExp(`^${CUSTOM_EVENT_PREFIX}`)).describe(`a peer's own event: any name starting with "${CUSTOM_EVENT_PREFIX}"`),
  });
}
let custom: ReturnType<typeof buildCustomEventSchema> | undefined;
/** A peer's own event: any fields, a name starting with CUSTOM_EVENT_PREFIX. */
export function customEventSchema(): ReturnType<typeof buildCustomEventSchema> {
  return (custom ??= buildCustomEventSchema());
}

export type PeerEventOf<N extends EventName> = z.infer<Variants[N]>;
export type PeerEvent = z.infer<ReturnType<typeof peerEventSchema>>;
/** What `emit(name, fields)` takes for an event: everything but `t` and `event`. */
export type EventFields<N extends EventName> = Omit<z.input<Variants[N]>, 't' | 'event'>;

export function eventSchema<N extends EventName>(name: N): Variants[N] {
  return (variants[name] ??= variant(name) as Variants[N]) as Variants[N];
}

export function isEventName(name: string): name is EventName {
  return Object.hasOwn(eventFields(), name);
}
