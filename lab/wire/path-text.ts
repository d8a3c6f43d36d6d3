/** A wire path in words, shared by the reports and the call's timeline. */
import type { WirePath } from '../model/run-result.js';

export function describePath(p: WirePath | null): string {
  if (!p) return 'nothing crossed the internet';
  const ends = `${p.from ?? '?'} -> ${p.to ?? '?'}`;
  if (p.kind === 'direct') return `DIRECT ${ends}`;
  const relays = p.relays.map((r) => `${r.owner}'s TURN/${r.transport ?? '?'} ${r.relayedAddress}`).join(' then ');
  return `RELAY via ${relays} (${ends})`;
}
