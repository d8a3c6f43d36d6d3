import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LineLog } from './line-log.js';

describe('LineLog.lineBefore', () => {
  it('resolves with a line already seen, or one that comes later', async () => {
    const log = new LineLog();
    const stream = new PassThrough();
    log.follow(stream);
    stream.write('0 packets captured\n3 packets drop');
    const later = log.lineBefore(/dropped by kernel/, new Promise(() => {}));
    stream.write('ped by kernel\n');
    expect(await later).toBe('3 packets dropped by kernel');
    expect(await log.lineBefore(/captured/, new Promise(() => {}))).toBe('0 packets captured');
  });

  it('resolves null once the end comes first, and forgets its waiter', async () => {
    const log = new LineLog();
    let end!: () => void;
    const ended = new Promise<void>((resolve) => (end = resolve));
    const waiting = log.lineBefore(/never/, ended);
    end();
    expect(await waiting).toBeNull();
    log.add('never mind');
    expect((log as unknown as { waiters: unknown[] }).waiters).toHaveLength(0);
  });
});
