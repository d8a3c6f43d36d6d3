/**
 * Measures a lab link from inside two lab hosts (the images have no ping or iperf): round-trip
 * times, loss and throughput over UDP, to lab addresses only, bounded in count and time.
 *
 *   node net-probe.mjs serve <port>                       echoes probes, counts blast packets
 *   node net-probe.mjs rtt <ip> <port> <count> <gapMs> [burst]  -> {"sent","received","lossShare","duplicates","reordered","rttMs":{min,mean,p50,max}}
 *                                                         (burst: packets sent back to back every gapMs, default 1)
 *   node net-probe.mjs blast <ip> <port> <kbps> <ms> [payload]  -> {"sentBytes","receivedBytes","rateKbps"}
 * The server prints {"event":"listening"} once bound. Rates count IP bytes (payload + 28).
 */
import { createSocket, type Socket } from 'node:dgram';
import { summarize } from './net-probe-math.js';

const [mode, ...args] = process.argv.slice(2);
const say = (obj: object) => process.stdout.write(JSON.stringify(obj) + '\n');
const now = () => performance.now();
const IP_UDP_HEADERS = 28;

function fail(message: string): never {
  process.stderr.write(`net-probe: ${message}\n`);
  process.exit(2);
}

function int(value: string | undefined, what: string, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) fail(`${what} must be an integer in 1..${max}, got ${value}`);
  return n;
}

function serve(port: number): void {
  const socket = createSocket('udp4');
  let blast = { bytes: 0, packets: 0, firstMs: 0, lastMs: 0, firstBytes: 0 };
  socket.on('message', (msg, from) => {
    const kind = msg[0];
    if (kind === 0x50 /* P: probe */) socket.send(msg, from.port, from.address);
    else if (kind === 0x42 /* B: blast */) {
      const t = now();
      if (!blast.packets) Object.assign(blast, { firstMs: t, firstBytes: msg.length + IP_UDP_HEADERS });
      blast.packets++;
      blast.bytes += msg.length + IP_UDP_HEADERS;
      blast.lastMs = t;
    } else if (kind === 0x51 /* Q: query */) {
      socket.send(Buffer.from('R' + JSON.stringify(blast)), from.port, from.address);
    } else if (kind === 0x5a /* Z: reset */) {
      blast = { bytes: 0, packets: 0, firstMs: 0, lastMs: 0, firstBytes: 0 };
      socket.send(Buffer.from('z'), from.port, from.address);
    }
  });
  socket.bind(port, () => say({ event: 'listening', port }));
  process.on('SIGTERM', () => process.exit(0));
}

async function rtt(ip: string, port: number, count: number, gapMs: number, burst: number): Promise<void> {
  const socket = createSocket('udp4');
  const sentAt = new Map<number, number>();
  const rtts: number[] = [];
  let duplicates = 0;
  let reordered = 0;
  socket.on('message', (msg) => {
    if (msg[0] !== 0x50) return;
    const seq = msg.readUInt32BE(1);
    const t = sentAt.get(seq);
    if (t === undefined) {
      duplicates++;
      return;
    }
    // Early: fewer packets arrived before it than were sent before it, so it overtook one (exact without loss).
    if (seq > rtts.length) reordered++;
    rtts.push(now() - t);
    sentAt.delete(seq);
  });
  await bind(socket);
  const start = now();
  for (let seq = 0; seq < count; seq++) {
    // Paced by the clock, not by the sum of timer delays, so a busy machine does not stretch the run.
    const due = start + Math.floor(seq / burst) * gapMs;
    if (due > now()) await sleep(due - now());
    // A buffer per packet: dgram sends later, and a reused one would carry a later sequence number.
    const packet = Buffer.alloc(64);
    packet[0] = 0x50;
    packet.writeUInt32BE(seq, 1);
    sentAt.set(seq, now());
    socket.send(packet, port, ip);
  }
  // The last answers may still be on their way: wait up to 2 s past the slowest seen, at least 1 s.
  const wait = Math.max(1000, Math.min(5000, 2 * Math.max(0, ...rtts)));
  await sleep(wait);
  socket.close();
  say({ sent: count, received: rtts.length, lossShare: 1 - rtts.length / count, duplicates, reordered, rttMs: summarize(rtts) });
}

async function blast(ip: string, port: number, kbps: number, durationMs: number, payload: number): Promise<void> {
  const socket = createSocket('udp4');
  await bind(socket);
  const ask = (what: string, answer: string) => request(socket, ip, port, what, answer);
  await ask('Z', 'z');
  const packet = Buffer.alloc(payload);
  packet[0] = 0x42;
  const perMs = (kbps * 1000) / 8 / 1000 / (payload + IP_UDP_HEADERS);
  const start = now();
  let sent = 0;
  while (now() - start < durationMs) {
    const due = Math.floor((now() - start) * perMs) + 1;
    while (sent < due) {
      socket.send(packet, port, ip);
      sent++;
    }
    await sleep(2);
  }
  // Queued packets drain at the link's rate: wait until the count stops growing.
  let last = -1;
  let r = JSON.parse(await ask('Q', 'R'));
  while (r.packets !== last) {
    last = r.packets;
    await sleep(500);
    r = JSON.parse(await ask('Q', 'R'));
  }
  socket.close();
  const spanMs = r.lastMs - r.firstMs;
  // The first packet opens the interval: its bytes crossed the link before it.
  const rateKbps = spanMs > 0 ? ((r.bytes - r.firstBytes) * 8) / spanMs : 0;
  say({ sentBytes: sent * (payload + IP_UDP_HEADERS), receivedBytes: r.bytes, packets: r.packets, spanMs, rateKbps });
}

/** A control message the link may lose: retried until its answer (which starts with `answer`) comes. */
async function request(socket: Socket, ip: string, port: number, what: string, answer: string): Promise<string> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const reply = new Promise<string | null>((resolve) => {
      const timer = setTimeout(() => (socket.off('message', on), resolve(null)), 1500);
      const on = (msg: Buffer) => {
        if (msg.toString('latin1', 0, 1) !== answer) return;
        clearTimeout(timer);
        socket.off('message', on);
        resolve(msg.toString('utf8', 1));
      };
      socket.on('message', on);
    });
    socket.send(Buffer.from(what), port, ip);
    const got = await reply;
    if (got !== null) return got;
  }
  fail(`no answer from ${ip}:${port} to "${what}" after 20 tries`);
}

function bind(socket: Socket): Promise<void> {
  return new Promise((resolve) => socket.bind(0, () => resolve()));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

if (mode === 'serve') serve(int(args[0], 'port', 65535));
else if (mode === 'rtt') await rtt(args[0], int(args[1], 'port', 65535), int(args[2], 'count', 100_000), int(args[3], 'gapMs', 10_000), args[4] ? int(args[4], 'burst', 100) : 1);
else if (mode === 'blast') await blast(args[0], int(args[1], 'port', 65535), int(args[2], 'kbps', 1_000_000), int(args[3], 'durationMs', 60_000), args[4] ? int(args[4], 'payload', 1472) : 1200);
else fail('usage: net-probe serve <port> | rtt <ip> <port> <count> <gapMs> | blast <ip> <port> <kbps> <durationMs> [payload]');
