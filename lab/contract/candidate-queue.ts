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
