/**
 * The peer contract's events, as a schema: the lab checks every line a peer prints against it, and
 * peers/contract.schema.json (JSON Schema, for peers in any language) is generated from it.
 */
import { z } from 'zod';

const candidateEnd = z.object({
  candidateType: z.string(),
  protocol: z.string(),
  address: z.string(),
  port: z.number(),
  relayProtocol: z.string().nullable(),
});

/** Fields of the events the lab reads; other events only need `t` and `event`. */
const EVENT_FIELDS = {
  started: z.object({ stack: z.string(), role: z.enum(['viewer', 'camera']).optional() }),
  'ice-state': z.object({ state: z.string() }),
  'connection-state': z.object({ state: z.string() }),
  'local-candidate': z.object({ candidate: z.string() }),
  'remote-candidate': z.object({ candidate: z.string() }),
  'local-description': z.object({ type: z.string(), sdp: z.string() }),
  'selected-pair': z.object({ pair: z.object({ local: candidateEnd, remote: candidateEnd, rttMs: z.number().nullable() }).nullable() }),
  error: z.object({ message: z.string() }),
} as const;

export const peerEventSchema = z
  .object({
    t: z.number().describe('CLOCK_MONOTONIC milliseconds (shared by every process on the machine)'),
    event: z.string().min(1),
    session: z.string().optional().describe('the far peer of the connection this event is about'),
  })
  .passthrough();

export type PeerEventLine = z.infer<typeof peerEventSchema>;

/** What is wrong with one stdout line, or null if it keeps the contract. */
export function contractProblem(line: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return `not JSON: ${line.slice(0, 120)}`;
  }
  const base = peerEventSchema.safeParse(value);
  if (!base.success) return `not an event (needs numeric "t" and string "event"): ${line.slice(0, 120)}`;
  const fields = EVENT_FIELDS[base.data.event as keyof typeof EVENT_FIELDS];
  const checked = fields?.safeParse(value);
  if (checked && !checked.success) {
    const issue = checked.error.issues[0];
    return `"${base.data.event}" event: ${issue.path.join('.') || '(event)'}: ${issue.message.replace(/^Invalid input: /, '')}`;
  }
  return null;
}

/** JSON Schema of one event line (peers/contract.schema.json). */
export function contractJsonSchema(): object {
  const variants = Object.entries(EVENT_FIELDS).map(([event, fields]) => ({
    if: { properties: { event: { const: event } } },
    then: z.toJSONSchema(fields, { target: 'draft-2020-12' }),
  }));
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'webrtc-nat-lab peer event (one JSON object per line on stdout)',
    ...z.toJSONSchema(peerEventSchema, { target: 'draft-2020-12' }),
    allOf: variants,
  };
}
