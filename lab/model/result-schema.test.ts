import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { projectPath } from '../util/paths.js';
import { matrixResultSchema, resultJsonSchema, runResultSchema } from './result-schema.js';

const fixture = (name: string) => JSON.parse(readFileSync(projectPath('test', 'fixtures', 'results', name), 'utf8'));

describe('result schemas', () => {
  it('a real run result (symmetric-nat, written by the CLI) validates', () => {
    const r = runResultSchema.safeParse(fixture('run-symmetric-nat.json'));
    expect(r.success ? [] : r.error.issues).toEqual([]);
  });

  it('a real matrix result (two presets, three cells) validates', () => {
    const m = fixture('matrix-two-presets.json');
    expect(m.cells).toHaveLength(3);
    const r = matrixResultSchema.safeParse(m);
    expect(r.success ? [] : r.error.issues).toEqual([]);
  });

  it('rejects a result of another schema version or with a field of the wrong type, naming the field', () => {
    const r = fixture('run-symmetric-nat.json');
    const issues = (data: unknown) => (runResultSchema.safeParse(data).error?.issues ?? []).map((i) => i.path.join('.'));
    expect(issues({ ...r, schemaVersion: r.schemaVersion + 1 })).toEqual(['schemaVersion']);
    expect(issues({ ...r, sessions: [{ ...r.sessions[0], outcome: 'maybe' }] })).toEqual(['sessions.0.outcome']);
  });

  it.each(['run', 'matrix'] as const)('schemas/%s-result.schema.json is the schema the lab checks (regenerate: npm run lab -- result-schema %s)', (which) => {
    const shipped = JSON.parse(readFileSync(projectPath('schemas', `${which}-result.schema.json`), 'utf8'));
    expect(shipped).toEqual(JSON.parse(JSON.stringify(resultJsonSchema(which))));
  });
});
