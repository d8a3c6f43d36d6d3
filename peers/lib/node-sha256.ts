/** node:crypto in the shape the AWS SigV4 signer (@smithy/signature-v4) wants: a Checksum constructor, HMAC when given a secret. */
import { createHash, createHmac } from 'node:crypto';

export class NodeSha256 {
  private h;
  constructor(secret?: Uint8Array | string) {
    this.h = secret ? createHmac('sha256', Buffer.from(secret as Uint8Array)) : createHash('sha256');
  }
  update(data: Uint8Array | string): void {
    this.h.update(typeof data === 'string' ? data : Buffer.from(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
  reset(): void {}
}
