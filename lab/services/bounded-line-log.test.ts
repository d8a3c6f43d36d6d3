import { describe, expect, it } from 'vitest';
import { BoundedLineLog } from './bounded-line-log.js';

describe('bounded line log', () => {
  it('keeps the first lines and the latest, with a marker counting the dropped ones, each line cut', () => {
    const log = new BoundedLineLog(10, 3, 50);
    for (let i = 0; i < 100; i++) log.add(`line ${i}`);
    const lines = log.lines.map((l) => l.line);
    expect(lines).toHaveLength(10);
    expect(lines.slice(0, 3)).toEqual(['line 0', 'line 1', 'line 2']);
    expect(lines[3]).toMatch(/^… 91 line\(s\) dropped here/);
    expect(lines.slice(4)).toEqual(['line 94', 'line 95', 'line 96', 'line 97', 'line 98', 'line 99']);
    log.add('x'.repeat(10_000));
    expect(log.tail(1).length).toBeLessThan(100);
  });

  it('waits for lines like any LineLog', async () => {
    const log = new BoundedLineLog(5, 1);
    const ready = log.waitFor(/ready/, 1000);
    log.add('{"event":"ready"}');
    expect(await ready).toBe('{"event":"ready"}');
  });
});
