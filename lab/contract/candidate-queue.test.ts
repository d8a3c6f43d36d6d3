import { describe, expect, it } from 'vitest';
import { CandidateQueue, CandidateQueues } from './candidate-queue.js';

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

  it('per peer: candidates that come before the offer are kept for its session (Chrome trickles them that early)', async () => {
    const queues = new CandidateQueues<string>();
    await queues.of('v1').add('early');
    const session = queues.forNewSession('v1');
    await queues.of('v1').add('after-offer');
    const applied: string[] = [];
    await session.open((c) => void applied.push(c));
    expect(applied).toEqual(['early', 'after-offer']);
  });

  it('per peer: a second offer starts a fresh queue instead of feeding the earlier session', async () => {
    const queues = new CandidateQueues<string>();
    const first: string[] = [];
    await queues.forNewSession('v1').open((c) => void first.push(c));
    await queues.of('v1').add('one');
    const second = queues.forNewSession('v1');
    await queues.of('v1').add('two');
    expect(first).toEqual(['one']);
    expect(second.waiting).toBe(1);
    expect(queues.of('v2')).not.toBe(queues.of('v1'));
  });
});
