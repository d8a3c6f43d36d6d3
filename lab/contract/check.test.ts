import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { projectPath } from '../util/paths.js';
import { contractJsonSchema, contractProblem, eventProblem } from './check.js';
import { eventNames, peerEventSchema } from './events.js';

interface Recorded {
  runs: Record<string, { stacks: Record<string, string>; events: Record<string, Record<string, unknown>[]> }>;
}
const recorded = JSON.parse(readFileSync(projectPath('lab', 'contract', 'fixtures', 'recorded-runs.json'), 'utf8')) as Recorded;

describe('peer contract events', () => {
  it.each(Object.entries(recorded.runs))('every event of a recorded real run validates (%s)', (_name, run) => {
    const events = Object.values(run.events).flat();
    expect(events.length).toBeGreaterThan(20);
    for (const e of events) expect(eventProblem(e), JSON.stringify(e).slice(0, 200)).toBeNull();
    for (const e of events) expect(peerEventSchema().safeParse(e).success).toBe(true);
  });

  it('the recorded runs cover werift, Chromium and node-datachannel', () => {
    const stacks = Object.values(recorded.runs).flatMap((r) => Object.values(r.stacks));
    for (const s of [/^werift$/, /^chromium /, /^node-datachannel /]) expect(stacks.some((x) => s.test(x))).toBe(true);
  });

  it('names the event and the field that is wrong', () => {
    expect(contractProblem('{"t": 1, "event": "ice-state"}')).toBe('"ice-state" event: state: expected string, received undefined; session: expected string, received undefined');
    expect(contractProblem('{"t": 1, "event": "local-candidate", "candidate": "candidate:1 1 udp 1 10.0.0.1 5000 typ host"}')).toBe('"local-candidate" event: session: expected string, received undefined');
    expect(contractProblem('{"t": 1, "event": "selected-pair", "session": "c", "pair": {"local": {}, "remote": {}, "rttMs": 3}}')).toMatch(/^"selected-pair" event: pair\.local\.candidateType: expected string/);
    expect(contractProblem('{"t": 1, "event": "candidate-pairs", "session": "c", "pairs": [{"state": "x"}]}')).toMatch(/^"candidate-pairs" event: pairs\.0\.local: /);
    expect(contractProblem('{"t": 1, "event": "local-description", "session": "c", "type": "pranswer", "sdp": ""}')).toMatch(/^"local-description" event: type: /);
    expect(contractProblem('{"t": 1, "event": "done", "ok": "yes"}')).toBe('"done" event: ok: expected boolean, received string');
  });

  it('accepts well-formed events, extra fields and a peer\'s own x- events', () => {
    expect(contractProblem('{"t": 12.5, "event": "offer-sent", "session": "camera"}')).toBeNull();
    expect(contractProblem('{"t": 1, "event": "selected-pair", "session": "c", "pair": null}')).toBeNull();
    expect(contractProblem('{"t": 1, "event": "error", "message": "boom", "media": {"rtpPackets": 0}}')).toBeNull();
    expect(contractProblem('{"t": 1, "event": "x-my-app-ready", "anything": [1]}')).toBeNull();
  });

  it('refuses what is not an event, and event names outside the closed list', () => {
    expect(contractProblem('hello')).toBe('not JSON: hello');
    expect(contractProblem('{"event": "x"}')).toMatch(/^not an event \(needs numeric "t" and string "event"\)/);
    expect(contractProblem('[1]')).toMatch(/^not an event/);
    expect(contractProblem('{"t": 1, "event": "first-fram", "session": "c"}')).toMatch(/^unknown event "first-fram" \(the contract's events: started, .*; a peer's own events start with "x-"\)$/);
  });

  it('the JSON Schema has one variant per event name plus the x- escape', () => {
    const schema = contractJsonSchema() as { anyOf: { oneOf?: { properties: { event: { const?: string } } }[]; properties?: { event: { pattern?: string } } }[] };
    const [union, custom] = schema.anyOf;
    expect(union.oneOf!.map((v) => v.properties.event.const)).toEqual(eventNames());
    expect(custom.properties!.event.pattern).toBe('^x-');
  });

  it('peers/contract.schema.json is generated from the union (regenerate: npm run lab -- peer-schema > peers/contract.schema.json)', () => {
    const shipped = JSON.parse(readFileSync(projectPath('peers', 'contract.schema.json'), 'utf8'));
    expect(shipped).toEqual(JSON.parse(JSON.stringify(contractJsonSchema())));
  });
});
