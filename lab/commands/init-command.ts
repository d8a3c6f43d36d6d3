import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { starterFiles } from '../init/starter.js';
import { LabError } from '../model/errors.js';
import { EXIT, usageError, type Command } from './command.js';

export const initCommand: Command = {
  name: 'init',
  summary: 'Write a starter into this repo: a scenario running your program as a peer, matrix expectations, a config, a CI workflow.',
  usage: 'init',
  details: [
    'Writes, in the current folder:',
    ...starterFiles(process.cwd()).map((f) => `  ${f.path}`),
    'and refuses (exit 1, nothing written) when any of them exists already.',
  ].join('\n'),
  options: {},
  async run({ positionals }) {
    if (positionals.length) throw usageError(this, `unexpected argument "${positionals[0]}"`);
    const root = process.cwd();
    const files = starterFiles(root);
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
    console.log('  sudo -E npx webrtc-lab run lab/my-app.yaml    your scenario (replace the stand-in command with your program)');
    console.log('  sudo -E npx webrtc-lab matrix --nats full-cone,symmetric    a small matrix against lab/nat-gate.yaml');
    return EXIT.ok;
  },
};
