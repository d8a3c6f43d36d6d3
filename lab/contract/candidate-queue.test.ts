import { describe, expect, it } from 'vitest';
import { CandidateQueue } from './candidate-queue.js';

describe('early-candidate queue', () => {
  it('holds candidates until it opens, then applies them in order, then passes new ones straight on', async () => {
    const q = new CandidateQueue<string>();
    const applied: string[] = [];
    await q.add('a');
    await q.add('b');
    expect(applied).toEqual([]);
    expect(q.waiting).toBe(2);
    await q.open((c) => void applied.push(c));
    expect(applied).toEqual(['a', 'b']);
    await q.add('c');
    expect(applied).toEqual(['a', 'b', 'c']);
    expect(q.isOpen).toBe(true);
  });

  it('a candidate that arrives while the held ones are being applied queues behind them', async () => {
    const q = new CandidateQueue<string>();
    const applied: string[] = [];
    await q.add('a');
    const opening = q.open(async (c) => {
      if (c === 'a') void q.add('late');
      await Promise.resolve();
      applied.push(c);
    });
    await opening;
    expect(applied).toEqual(['a', 'late']);
  });
});
