import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EXAMPLES, exampleFiles, starterFiles, type StarterFile } from '../init/starter.js';
import { LabError } from '../model/errors.js';
import { EXIT, usageError, type Command } from './command.js';

export const initCommand: Command = {
  name: 'init',
  summary: 'Write a starter into this repo: a scenario running your program as a peer (or a shipped example app), matrix expectations, a config, a CI workflow.',
  usage: 'init [--example cli-app|browser-app]',
  details: [
    'Writes, in the current folder:',
    ...starterFiles(process.cwd()).map((f) => `  ${f.path}`),
    '',
    'With --example <name>, a shipped app that knows nothing of the lab instead of the stand-in scenario:',
    ...Object.entries(EXAMPLES).map(([name, e]) => `  ${name.padEnd(12)} ${e.title}: lab/${name}/ (its scenarios, app files), then the same three files`),
    '',
    'Refuses (exit 1, nothing written) when any of them exists already.',
    '',
    'Options:',
    '  --example <name>   copy that example (cli-app, browser-app)',
  ].join('\n'),
  options: { example: { type: 'string' } },
  async run({ values, positionals }) {
    if (positionals.length) throw usageError(this, `unexpected argument "${positionals[0]}"`);
    const root = process.cwd();
    const example = values.example as string | undefined;
    if (example !== undefined && !(example in EXAMPLES)) throw usageError(this, `unknown example "${example}" (known: ${Object.keys(EXAMPLES).join(', ')})`);
    const files: StarterFile[] = example ? exampleFiles(example) : starterFiles(root);
    const existing = files.filter((f) => existsSync(join(root, f.path))).map((f) => f.path);
    if (existing.length) {
      throw new LabError('exists', `init: ${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}; nothing was written`, 'move or delete them first, or add the rest by hand');
    }
    for (const f of files) {
      mkdirSync(dirname(join(root, f.path)), { recursive: true });
      writeFileSync(join(root, f.path), f.text, { flag: 'wx' });
      console.log(`wrote ${f.path}`);
    }
    console.log('\nnext:\n  npx webrtc-lab doctor                 what this machine has, and what to install');
    if (example) {
      for (const f of files.filter((x) => x.path.startsWith(`lab/${example}/`) && x.path.endsWith('.yaml'))) console.log(`  sudo -E npx webrtc-lab run ${f.path}`);
    } else {
      console.log('  sudo -E npx webrtc-lab run lab/my-app.yaml    your scenario (replace the stand-in command with your program)');
    }
    console.log('  sudo -E npx webrtc-lab matrix --nats full-cone,symmetric    a small matrix against lab/nat-gate.yaml');
    return EXIT.ok;
  },
};
