/**
 * The wire oracle's capture: one point every internet packet passes (the backend's
 * captureInternet: where that is depends on how it builds the internet), plus the services
 * host's loopback (where coturn hands packets from one relayed address to another, both its own).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabProcess, StartedLab } from '../backends/backend.js';
import { LabError } from '../model/errors.js';
import { INTERNET } from '../model/topology.js';
import { LineLog } from '../util/line-log.js';
import { readPcap, type IpPacket } from './pcap.js';

export interface WireCapture {
  files: string[];
  /**
   * Stops tcpdump (it writes every packet as it comes: nothing is lost by stopping) and returns its
   * drop count once its files are complete, which is before its process has gone (see close()).
   */
  stop(): Promise<{ dropped: number }>;
  /** Resolves once every tcpdump has exited (SIGKILL after a grace). */
  close(): Promise<void>;
}

interface Tap {
  file: string;
  log: LineLog;
  exited: Promise<unknown>;
  /** SIGTERM; resolves once the capture file is complete. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

const LISTENING = /listening on/;
/**
 * tcpdump's last line, printed once its capture loop has ended, every packet written (-U flushes
 * each one) and before it closes its packet socket: that close waits for an RCU grace period,
 * 20-30 ms, which the run need not wait for to read the files.
 */
const DROPPED = /packets dropped by kernel/;
const READY_TIMEOUT_MS = 5000;
/**
 * In immediate mode libpcap's kernel ring has one fixed slot per packet, as large as the snap
 * length: with tcpdump's default 256 KiB snap length a 4 MiB ring holds 16 packets, and a burst
 * (a DTLS flight, a key frame) is dropped. 16 KiB covers any datagram and most TCP segments (veth
 * keeps TSO, so a segment can exceed the MTU; a longer one is cut and its stream marked broken),
 * and 16 MiB gives 1000 slots.
 */
const TCPDUMP = ['tcpdump', '-n', '--immediate-mode', '-U', '-Z', 'root', '-s', '16384', '-B', '16384'];

/** Why this lab has no wire capture, or null when it can have one. */
export function noCaptureReason(lab: StartedLab): string | null {
  if (!lab.captureInternet) return `the ${lab.backend} backend offers no point where every internet packet passes (it has no captureInternet)`;
  return null;
}

export async function startWireCapture(lab: StartedLab, dir: string): Promise<WireCapture> {
  const t = lab.topology;
  const internet = t.segments.find((s) => s.name === INTERNET);
  if (!internet) throw new LabError('usage', `topology ${t.name} has no "${INTERNET}" segment: the wire oracle has nothing to capture`);
  if (!lab.captureInternet) throw new LabError('usage', noCaptureReason(lab)!);
  const filter = `ip and src net ${internet.subnet} and dst net ${internet.subnet}`;
  const internetFile = join(dir, 'internet.pcap');
  const taps: Tap[] = [
    tapOf(internetFile, lab.captureInternet([...TCPDUMP, '-w', internetFile], filter)),
    // Relayed address to relayed address never leaves the services host.
    tapOn(lab, t.services.host, join(dir, 'srv-lo.pcap'), ['-i', 'lo', '-Q', 'in', `udp and src net ${internet.subnet} and dst net ${internet.subnet}`]),
  ];
  try {
    await Promise.all(taps.map((tap) => ready(tap)));
  } catch (err) {
    await Promise.all(taps.map((tap) => tap.close()));
    throw err;
  }
  return {
    files: taps.map((tap) => tap.file),
    stop: async () => {
      await Promise.all(taps.map((tap) => tap.stop()));
      if (process.env.WIRE_DEBUG) for (const tap of taps) console.error(tap.file, tap.log.tail(5));
      return { dropped: taps.reduce((n, tap) => n + droppedBy(tap.log), 0) };
    },
    close: async () => void (await Promise.all(taps.map((tap) => tap.close()))),
  };
}

/** Every packet of the capture's files, in time order. */
export function readWireCapture(files: string[]): IpPacket[] {
  return files.flatMap((f) => readPcap(readFileSync(f))).sort((a, b) => a.t - b.t);
}

function tapOn(lab: StartedLab, node: string, file: string, args: string[]): Tap {
  return tapOf(file, lab.spawn(node, [...TCPDUMP, '-w', file, ...args]));
}

function tapOf(file: string, p: LabProcess): Tap {
  const log = new LineLog();
  log.follow(p.stderr);
  let closing: Promise<void> | null = null;
  const close = () => (closing ??= p.stop(2000));
  const stop = async () => {
    void close();
    await log.lineBefore(DROPPED, p.exited);
  };
  return { file, log, exited: p.exited, stop, close };
}

async function ready(tap: Tap): Promise<void> {
  await Promise.race([
    tap.log.waitFor(LISTENING, READY_TIMEOUT_MS),
    tap.exited.then(() => {
      throw new LabError('command-failed', `tcpdump for the wire oracle (${tap.file}) exited: ${tap.log.tail(3)}`, 'install tcpdump (apt-get install tcpdump)');
    }),
  ]);
}

function droppedBy(log: LineLog): number {
  const line = log.lines.find((l) => /packets dropped by kernel/.test(l.line));
  return line ? Number(/(\d+) packets dropped by kernel/.exec(line.line)![1]) : 0;
}
