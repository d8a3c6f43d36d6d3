/** Incoming signaling messages for handlers registered later: held until the first handler, then delivered in order. */
export class MessageInbox<M> {
  private handlers: ((msg: M) => void)[] = [];
  private held: M[] = [];

  deliver(msg: M): void {
    if (!this.handlers.length) this.held.push(msg);
    for (const h of this.handlers) h(msg);
  }

  onMessage(handler: (msg: M) => void): void {
    this.handlers.push(handler);
    for (const msg of this.held.splice(0)) handler(msg);
  }
}
