/** Checking one stdout line of a peer against the contract, and the contract as JSON Schema. */
import { z } from 'zod';
import { CUSTOM_EVENT_PREFIX, customEventSchema, eventNames, eventSchema, isEventName, peerEventSchema } from './events.js';

let envelopeSchema: z.ZodType<{ t: number; event: string }> | undefined;
const envelope = () => (envelopeSchema ??= z.looseObject({ t: z.number(), event: z.string().min(1) }));
/**
 * A run checks a few dozen lines, most event kinds once: zod's JIT (a parser compiled with
 * new Function per object schema on first use) costs more than it saves there, ~50 ms per run.
 */
const ONCE = { jitless: true } as const;

/** What is wrong with one stdout line, or null if it keeps the contract. */
export function contractProblem(line: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return `not JSON: ${line.slice(0, 120)}`;
  }
  return eventProblem(value, line);
}

/** What is wrong with one parsed event, naming the event and the field, or null. */
export function eventProblem(value: unknown, line = JSON.stringify(value) ?? String(value)): string | null {
  const head = envelope().safeParse(value, ONCE);
  if (!head.success) return `not an event (needs numeric "t" and string "event"): ${line.slice(0, 120)}`;
  const name = head.data.event;
  if (name.startsWith(CUSTOM_EVENT_PREFIX)) return issueText(name, customEventSchema().safeParse(value, ONCE));
  if (!isEventName(name)) return `unknown event "${name}" (the contract's events: ${eventNames().join(', ')}; a peer's own events start with "${CUSTOM_EVENT_PREFIX}")`;
  return issueText(name, eventSchema(name).safeParse(value, ONCE));
}

function issueText(name: string, result: { success: boolean; error?: z.ZodError }): string | null {
  if (result.success) return null;
  // The event's own fields first: a missing `session` is rarely the news.
  const common = (i: z.core.$ZodIssue) => (i.path[0] === 't' || i.path[0] === 'session' ? 1 : 0);
  const issues = [...result.error!.issues].sort((a, b) => common(a) - common(b)).slice(0, 3).map((i) => `${i.path.join('.') || '(event)'}: ${i.message.replace(/^Invalid input: /, '')}`);
  return `"${name}" event: ${issues.join('; ')}`;
}

/** JSON Schema of one event line (peers/contract.schema.json, `npm run lab -- peer-schema`). */
export function contractJsonSchema(): Record<string, unknown> {
  const line = z.union([peerEventSchema(), customEventSchema()]);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'webrtc-nat-lab peer event (one JSON object per line on stdout)',
    description: 'Generated from lab/contract/events.ts; regenerate with: npm run lab -- peer-schema > peers/contract.schema.json',
    ...z.toJSONSchema(line, { target: 'draft-2020-12' }),
  };
}
