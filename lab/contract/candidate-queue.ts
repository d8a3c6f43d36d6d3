/**
 * Remote candidates that arrive before they can be applied (before the remote description is set,
 * or before the session they belong to exists) wait here, and are applied in arrival order once
 * the queue opens; later ones go straight through. Browsers and libdatachannel reject candidates
 * before the remote description; trickled ones routinely arrive that early.
 */
export class CandidateQueue<C> {
  private held: C[] = [];
  private apply: ((candidate: C) => unknown) | null = null;

  /** Applies it now when the queue is open, else keeps it. */
  async add(candidate: C): Promise<void> {
    if (this.apply) await this.apply(candidate);
    else this.held.push(candidate);
  }

  /** From now on candidates go to `apply`; those that waited go first, in order. */
  async open(apply: (candidate: C) => unknown): Promise<void> {
    // Still closed while draining: a candidate added meanwhile queues behind the held ones.
    while (this.held.length) await apply(this.held.shift()!);
    this.apply = apply;
  }

  get isOpen(): boolean {
    return this.apply !== null;
  }

  get waiting(): number {
    return this.held.length;
  }
}

/** One queue per remote peer, for a side that answers many (the camera answers every viewer). */
export class CandidateQueues<C> {
  private queues = new Map<string, CandidateQueue<C>>();

  /** Where candidates from this peer go now. */
  of(peer: string): CandidateQueue<C> {
    let q = this.queues.get(peer);
    if (!q) this.queues.set(peer, (q = new CandidateQueue<C>()));
    return q;
  }

  /**
   * A session with this peer begins (its offer came): candidates that arrived before the offer
   * stay (Chrome trickles its first ones while the offer is on its way); an open queue belongs
   * to an earlier session and is replaced. Call it synchronously on the offer, before the next message.
   */
  forNewSession(peer: string): CandidateQueue<C> {
    const q = this.queues.get(peer);
    if (q && !q.isOpen) return q;
    const fresh = new CandidateQueue<C>();
    this.queues.set(peer, fresh);
    return fresh;
  }

  delete(peer: string): void {
    this.queues.delete(peer);
  }
}
