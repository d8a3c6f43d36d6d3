/**
 * Messages held for peers of a room that are not connected: bounded per peer (count and bytes),
 * bounded in total, and expiring (an offer an hour old is of no use to anyone).
 */
export interface QueueLimits {
  maxMessages: number;
  maxBytesPerPeer: number;
  maxBytesTotal: number;
  ttlMs: number;
}

export const DEFAULT_QUEUE_LIMITS: QueueLimits = { maxMessages: 64, maxBytesPerPeer: 1024 * 1024, maxBytesTotal: 16 * 1024 * 1024, ttlMs: 60_000 };

interface Held {
  text: string;
  bytes: number;
  at: number;
}

export type Enqueued = { ok: true } | { ok: false; reason: string };

export class AbsentPeerQueues {
  private queues = new Map<string, Held[]>();
  private totalBytes = 0;

  constructor(
    private limits: QueueLimits = DEFAULT_QUEUE_LIMITS,
    private now: () => number = () => performance.now(),
  ) {}

  get bytes(): number {
    return this.totalBytes;
  }

  push(peer: string, text: string): Enqueued {
    this.expire();
    const q = this.queues.get(peer) ?? [];
    const bytes = Buffer.byteLength(text);
    const held = q.reduce((n, m) => n + m.bytes, 0);
    if (q.length >= this.limits.maxMessages) return { ok: false, reason: `${q.length} messages already wait for it` };
    if (held + bytes > this.limits.maxBytesPerPeer) return { ok: false, reason: `${held} bytes already wait for it (limit ${this.limits.maxBytesPerPeer})` };
    if (this.totalBytes + bytes > this.limits.maxBytesTotal) return { ok: false, reason: `the server holds ${this.totalBytes} bytes for absent peers (limit ${this.limits.maxBytesTotal})` };
    q.push({ text, bytes, at: this.now() });
    this.queues.set(peer, q);
    this.totalBytes += bytes;
    return { ok: true };
  }

  /** Everything still fresh for `peer`, oldest first; its queue is emptied. */
  take(peer: string): string[] {
    this.expire();
    const q = this.queues.get(peer) ?? [];
    this.queues.delete(peer);
    for (const m of q) this.totalBytes -= m.bytes;
    return q.map((m) => m.text);
  }

  expire(): void {
    const oldest = this.now() - this.limits.ttlMs;
    for (const [peer, q] of this.queues) {
      let drop = 0;
      while (drop < q.length && q[drop].at < oldest) this.totalBytes -= q[drop++].bytes;
      if (drop === q.length) this.queues.delete(peer);
      else if (drop) q.splice(0, drop);
    }
  }
}
