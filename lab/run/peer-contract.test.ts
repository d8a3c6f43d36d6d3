import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { projectPath } from '../util/paths.js';
import { contractJsonSchema, contractProblem } from './peer-contract.js';

describe('peer contract', () => {
  it('accepts well-formed events, names what is wrong with the rest', () => {
    expect(contractProblem('{"t": 12.5, "event": "offer-sent", "session": "camera"}')).toBeNull();
    expect(contractProblem('hello')).toBe('not JSON: hello');
    expect(contractProblem('{"event": "x"}')).toMatch(/^not an event \(needs numeric "t" and string "event"\)/);
    expect(contractProblem('{"t": 1, "event": "ice-state"}')).toMatch(/^"ice-state" event: state:/);
    expect(contractProblem('{"t": 1, "event": "selected-pair", "pair": {"local": {}, "remote": {}, "rttMs": 3}}')).toMatch(/^"selected-pair" event: pair\.local\.candidateType/);
    expect(contractProblem('{"t": 1, "event": "selected-pair", "pair": null}')).toBeNull();
  });

  it('peers/contract.schema.json is the schema the lab checks (regenerate: npm run lab -- peer-schema > peers/contract.schema.json)', () => {
    const shipped = JSON.parse(readFileSync(projectPath('peers', 'contract.schema.json'), 'utf8'));
    expect(shipped).toEqual(JSON.parse(JSON.stringify(contractJsonSchema())));
  });
});
