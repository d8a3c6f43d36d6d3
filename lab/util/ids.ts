import { randomBytes } from 'node:crypto';

/** Short lowercase hex id: lab ids and run ids. */
export function newId(bytes = 3): string {
  return randomBytes(bytes).toString('hex');
}

/** A stable 32-bit number from text (FNV-1a), e.g. per-router hash seeds. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
