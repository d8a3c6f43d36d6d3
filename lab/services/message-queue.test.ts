import { describe, expect, it } from 'vitest';
import { AbsentPeerQueues } from './message-queue.js';

const limits = { maxMessages: 3, maxBytesPerPeer: 100, maxBytesTotal: 150, ttlMs: 1000 };

describe('queues for absent peers', () => {
  it('delivers in order once, and refuses past the count, per-peer and total byte limits', () => {
    const q = new AbsentPeerQueues(limits, () => 0);
    expect(q.push('a', 'one').ok).toBe(true);
    expect(q.push('a', 'two').ok).toBe(true);
    expect(q.push('a', 'three').ok).toBe(true);
    expect(q.push('a', 'four')).toMatchObject({ ok: false, reason: '3 messages already wait for it' });
    expect(q.take('a')).toEqual(['one', 'two', 'three']);
    expect(q.take('a')).toEqual([]);
    expect(q.push('b', 'x'.repeat(90)).ok).toBe(true);
    expect(q.push('b', 'x'.repeat(20))).toMatchObject({ ok: false, reason: expect.stringContaining('90 bytes already wait') });
    expect(q.push('c', 'x'.repeat(70)).ok).toBe(false); // 90 + 70 over the 150-byte total
    expect(q.bytes).toBe(90);
  });

  it('drops messages older than the TTL and frees their bytes', () => {
    let now = 0;
    const q = new AbsentPeerQueues(limits, () => now);
    q.push('a', 'old');
    now = 600;
    q.push('a', 'newer');
    now = 1200;
    expect(q.take('a')).toEqual(['newer']);
    q.push('b', 'x'.repeat(50));
    now = 5000;
    q.expire();
    expect(q.bytes).toBe(0);
  });
});
