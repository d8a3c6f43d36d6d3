import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../model/run-result.js';
import { projectPath } from '../../util/paths.js';
import type { ReporterIo } from './io.js';
import { createReporters } from './index.js';

const result: RunResult = JSON.parse(readFileSync(projectPath('test', 'fixtures', 'results', 'run-symmetric-nat.json'), 'utf8'));

function fakeIo() {
  const out: string[] = [];
  const err: string[] = [];
  const files = new Map<string, string>();
  const io: ReporterIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), writeFile: (f, t) => files.set(f, t), appendFile: () => {}, env: {} };
  return { io, out, err, files };
}

describe('built-in reporters', () => {
  it('list: progress to stderr, the summary and the report folder to stdout', async () => {
    const { io, out, err } = fakeIo();
    const mux = createReporters([['list']], { io });
    mux.progress('building symmetric');
    await mux.end({ kind: 'run', result, reportDir: '/r/x' });
    expect(err).toEqual(['  building symmetric\n']);
    expect(out.join('')).toMatch(/^\nsymmetric-nat: RELAY {2}\(expectations met\)[^]*\nreport: \/r\/x\/index\.html \(and result\.json\)\n$/);
  });

  it('json, junit, markdown: to their outputFile when given, else stdout', async () => {
    const { io, out, files } = fakeIo();
    const mux = createReporters([['json', { outputFile: 'r.json' }], ['junit', { outputFile: 'j.xml' }], ['markdown']], { io });
    await mux.end({ kind: 'run', result, reportDir: null });
    expect(JSON.parse(files.get('r.json')!)).toEqual(result);
    expect(files.get('j.xml')).toMatch(/^<\?xml/);
    expect(out.join('')).toMatch(/^### symmetric-nat: relay \(expectations met\)/);
  });
});
