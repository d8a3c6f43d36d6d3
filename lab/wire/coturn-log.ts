/**
 * coturn's --verbose log -> the allocations it made. It writes the relayed address on one line and
 * the session (with its username) on the next one of the same thread:
 *   IPv4. Local relay addr: 203.0.113.3:58101
 *   session 001000000000000001: new, realm=<lab>, username=<1796146420:viewer>, lifetime=600
 */
export interface LoggedAllocation {
  relayed: string;
  username: string | null;
}

const RELAY = /Local relay addr: ([\d.]+:\d+)/;
const NEW_SESSION = /session \d+: new, .*username=<([^>]*)>/;

export function loggedAllocations(lines: string[]): LoggedAllocation[] {
  const out: LoggedAllocation[] = [];
  let pending: LoggedAllocation | null = null;
  for (const line of lines) {
    const relay = RELAY.exec(line);
    if (relay) {
      if (pending) out.push(pending);
      pending = { relayed: relay[1], username: null };
      continue;
    }
    const session = NEW_SESSION.exec(line);
    if (session && pending) {
      out.push({ ...pending, username: session[1] || null });
      pending = null;
    }
  }
  if (pending) out.push(pending);
  return out;
}
