import { describe, expect, it } from 'vitest';
import { boundedText, logLine } from './log-line.js';

describe('bounded log lines', () => {
  it('keeps short texts and cuts long ones, saying how much was cut', () => {
    expect(boundedText('abc', 5)).toBe('abc');
    expect(boundedText('abcdefgh', 5)).toBe('abcde… (3 more characters)');
  });

  it('a log line stays under its limit whatever the client sent, and stays JSON', () => {
    const huge = 'k'.repeat(100_000);
    for (const entry of [{ event: 'bad-message', message: huge }, { event: 'x', [huge]: 1 }, { event: 'y', list: [huge, huge] }]) {
      const line = logLine({ t: 1, ...entry });
      expect(line.length).toBeLessThanOrEqual(2048);
      expect(JSON.parse(line).event).toBe(entry.event);
    }
    expect(logLine({ t: 1, event: 'ok', room: 'a' })).toBe('{"t":1,"event":"ok","room":"a"}');
  });
});
