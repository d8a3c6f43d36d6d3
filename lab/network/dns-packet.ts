/**
 * The few DNS messages the lab's resolver needs (RFC 1035): decode a one-question query, encode an
 * authoritative answer with A records, NODATA or NXDOMAIN. Pure, so it is unit-tested byte by byte.
 */

export const TYPE_A = 1;
export const TYPE_AAAA = 28;
export const CLASS_IN = 1;

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
export type Rcode = keyof typeof RCODE;

export interface DnsQuestion {
  id: number;
  /** Opcode and RD bit of the query, copied into the answer. */
  opcode: number;
  recursionDesired: boolean;
  /** Lower case, without the trailing dot. */
  name: string;
  type: number;
  qclass: number;
  /** The question section as sent, echoed back in the answer. */
  raw: Buffer;
}

export interface DnsAnswer {
  rcode: Rcode;
  /** IPv4 addresses for A records (empty: NODATA with NOERROR). */
  addresses: string[];
  ttl: number;
}

const HEADER = 12;
const MAX_NAME = 253;

/** The query's single question, or null for anything that is not a well-formed one-question query. */
export function decodeQuery(msg: Buffer): DnsQuestion | null {
  if (msg.length < HEADER + 5) return null;
  const flags = msg.readUInt16BE(2);
  if (flags & 0x8000) return null; // a response, not a query
  if (msg.readUInt16BE(4) !== 1) return null;
  const name = readName(msg, HEADER);
  if (!name || name.end + 4 > msg.length) return null;
  return {
    id: msg.readUInt16BE(0),
    opcode: (flags >> 11) & 0xf,
    recursionDesired: (flags & 0x0100) !== 0,
    name: name.name,
    type: msg.readUInt16BE(name.end),
    qclass: msg.readUInt16BE(name.end + 2),
    raw: msg.subarray(HEADER, name.end + 4),
  };
}

/** An uncompressed name at offset (queries never compress their question). */
function readName(msg: Buffer, offset: number): { name: string; end: number } | null {
  const labels: string[] = [];
  let at = offset;
  for (;;) {
    if (at >= msg.length) return null;
    const len = msg[at];
    if (len === 0) break;
    if (len > 63 || at + 1 + len > msg.length) return null;
    labels.push(msg.toString('latin1', at + 1, at + 1 + len).toLowerCase());
    at += 1 + len;
  }
  const name = labels.join('.');
  return name.length <= MAX_NAME ? { name, end: at + 1 } : null;
}

/** An authoritative answer to q: header, q's question, then one A record per address. */
export function encodeAnswer(q: Pick<DnsQuestion, 'id' | 'opcode' | 'recursionDesired' | 'raw'>, a: DnsAnswer): Buffer {
  const header = Buffer.alloc(HEADER);
  header.writeUInt16BE(q.id, 0);
  // QR=1, the query's opcode, AA=1, RD as asked, RA=1 (nothing further to ask: every answer is final).
  header.writeUInt16BE(0x8000 | (q.opcode << 11) | 0x0400 | (q.recursionDesired ? 0x0100 : 0) | 0x0080 | RCODE[a.rcode], 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(a.addresses.length, 6);
  const records = a.addresses.map((address) => {
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc000 | HEADER, 0); // pointer to the question's name
    rr.writeUInt16BE(TYPE_A, 2);
    rr.writeUInt16BE(CLASS_IN, 4);
    rr.writeUInt32BE(a.ttl, 6);
    rr.writeUInt16BE(4, 10);
    address.split('.').forEach((octet, i) => rr.writeUInt8(Number(octet), 12 + i));
    return rr;
  });
  return Buffer.concat([header, q.raw, ...records]);
}

/** A question in wire form (for clients and tests). */
export function encodeQuery(id: number, name: string, type = TYPE_A): Buffer {
  const header = Buffer.alloc(HEADER);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2); // RD
  header.writeUInt16BE(1, 4);
  const labels = name.split('.').filter(Boolean).map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')]));
  const tail = Buffer.alloc(5);
  tail.writeUInt16BE(type, 1);
  tail.writeUInt16BE(CLASS_IN, 3);
  return Buffer.concat([header, ...labels, tail]);
}

/** What an answer says (for clients and tests): rcode and the A records' addresses. */
export function decodeAnswer(msg: Buffer): { id: number; rcode: number; authoritative: boolean; addresses: string[]; ttls: number[] } {
  const flags = msg.readUInt16BE(2);
  const answers = msg.readUInt16BE(6);
  const question = readName(msg, HEADER);
  if (!question) throw new Error('answer without a readable question');
  let at = question.end + 4;
  const addresses: string[] = [];
  const ttls: number[] = [];
  for (let i = 0; i < answers; i++) {
    at += (msg[at] & 0xc0) === 0xc0 ? 2 : readName(msg, at)!.end - at;
    const type = msg.readUInt16BE(at);
    const len = msg.readUInt16BE(at + 8);
    if (type === TYPE_A && len === 4) {
      addresses.push([...msg.subarray(at + 10, at + 14)].join('.'));
      ttls.push(msg.readUInt32BE(at + 4));
    }
    at += 10 + len;
  }
  return { id: msg.readUInt16BE(0), rcode: flags & 0xf, authoritative: (flags & 0x0400) !== 0, addresses, ttls };
}
