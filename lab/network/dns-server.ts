/**
 * The lab's resolver: a UDP DNS server on the services host that answers A queries for the lab's
 * names, NODATA for other types of a known name, and NXDOMAIN for every other name at once (a lab
 * has no upstream to ask, so nothing ever waits for a timeout).
 */
import { createSocket, type Socket } from 'node:dgram';
import { DNS_TTL } from './dns-names.js';
import { CLASS_IN, TYPE_A, decodeQuery, encodeAnswer, type DnsAnswer, type DnsQuestion } from './dns-packet.js';

export interface DnsServerSpec {
  /** Address to bind (default every address of the host). */
  address?: string;
  port: number;
  /** Lower-case name -> IPv4 address. */
  records: Record<string, string>;
}

export interface DnsLogEntry {
  name: string;
  type: number;
  rcode: DnsAnswer['rcode'];
}

/** What the lab answers to one question. */
export function answerFor(q: DnsQuestion, records: Record<string, string>): DnsAnswer {
  if (q.opcode !== 0) return { rcode: 'NOTIMP', addresses: [], ttl: 0 };
  const address = records[q.name];
  if (address === undefined) return { rcode: 'NXDOMAIN', addresses: [], ttl: 0 };
  const a = q.type === TYPE_A && q.qclass === CLASS_IN;
  return { rcode: 'NOERROR', addresses: a ? [address] : [], ttl: DNS_TTL };
}

export function startDnsServer(spec: DnsServerSpec, onQuery?: (e: DnsLogEntry) => void): Promise<Socket> {
  const socket = createSocket('udp4');
  socket.on('message', (msg, from) => {
    const q = decodeQuery(msg);
    if (!q) return; // not a query we can even answer FORMERR to without its id: drop it
    const answer = answerFor(q, spec.records);
    onQuery?.({ name: q.name, type: q.type, rcode: answer.rcode });
    socket.send(encodeAnswer(q, answer), from.port, from.address);
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(spec.port, spec.address, () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}
