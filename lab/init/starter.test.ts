import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { projectPath } from '../util/paths.js';
import { EXAMPLES, exampleFiles, starterFiles } from './starter.js';

const workflowOf = (files: { path: string; text: string }[]) => parse(files.find((f) => f.path === '.github/workflows/nat-gate.yml')!.text);
const runs = (wf: { jobs: { matrix: { steps: { run?: string }[] } } }) => wf.jobs.matrix.steps.map((s) => s.run ?? '');

describe('init starter files', () => {
  it('the starter workflow is valid YAML and runs the starter scenario, then the matrix shard', () => {
    const wf = workflowOf(starterFiles('/repo'));
    expect(runs(wf)).toContain('sudo -E env "PATH=$PATH" npx webrtc-lab run lab/my-app.yaml');
    expect(wf.jobs.matrix.steps.at(-1).with.name).toBe('nat-shard-${{ matrix.shard }}');
  });

  it.each(Object.keys(EXAMPLES))('--example %s: every file of examples/<name>/ under lab/<name>/, each of its scenarios in the workflow', (name) => {
    const files = exampleFiles(name);
    const shipped = readdirSync(projectPath('examples', name)).sort();
    expect(files.filter((f) => f.path.startsWith(`lab/${name}/`)).map((f) => f.path.slice(name.length + 5))).toEqual(shipped);
    expect(files.map((f) => f.path)).toEqual(expect.arrayContaining(['lab/nat-gate.yaml', 'webrtc-lab.config.ts', '.github/workflows/nat-gate.yml']));
    const steps = runs(workflowOf(files));
    for (const s of shipped.filter((f) => f.endsWith('.yaml'))) expect(steps).toContain(`sudo -E env "PATH=$PATH" npx webrtc-lab run lab/${name}/${s}`);
    expect(steps.some((r) => r.includes('apt-get install') && r.includes('chromium'))).toBe(name === 'browser-app');
  });

  it('an unknown example is a usage error naming the known ones', () => {
    expect(() => exampleFiles('nope')).toThrow(/unknown example "nope" \(known: cli-app, browser-app\)/);
  });
});
