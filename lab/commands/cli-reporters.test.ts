import { describe, expect, it } from 'vitest';
import type { Reporter } from '../report/reporter.js';
import { chooseReporters } from './cli-reporters.js';

const custom: Reporter = { onEnd: () => {} };
const config = { file: 'webrtc-lab.config.ts', reporters: [['list'], ['junit', { outputFile: 'out/junit.xml' }], custom] as never };

describe('reporters of a command', () => {
  it("default: the config's, else list", () => {
    expect(chooseReporters({}, config)).toEqual(config.reporters);
    expect(chooseReporters({}, { file: null })).toEqual([['list']]);
  });

  it("--reporter picks by name and keeps that reporter's options from the config; unknown names are usage errors", () => {
    expect(chooseReporters({ reporter: 'junit,github' }, config)).toEqual([['junit', { outputFile: 'out/junit.xml' }], ['github']]);
    expect(() => chooseReporters({ reporter: 'list,tap' }, config)).toThrow('--reporter: unknown reporter "tap" (known: list, json, junit, markdown, html, github)');
  });

  it('--json means the json reporter alone; --explain turns it on in list', () => {
    expect(chooseReporters({ json: true, reporter: 'list' }, config)).toEqual([['json']]);
    expect(chooseReporters({ explain: true }, { file: null })).toEqual([['list', { explain: true }]]);
  });
});
