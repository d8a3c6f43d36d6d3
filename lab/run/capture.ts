/**
 * --capture: tcpdump on every router interface and on the services host, inside the lab, one pcap
 * each, so STUN, TURN and DTLS can be opened in Wireshark afterwards.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LabProcess, StartedLab } from '../backends/backend.js';
import { LabError } from '../model/errors.js';
import { LineLog } from '../util/line-log.js';

export interface Capture {
  node: string;
  iface: string;
  file: string;
  process: LabProcess;
}

const LISTENING = /listening on/;

export function captureTargets(lab: StartedLab): { node: string; iface: string }[] {
  const t = lab.topology;
  return [
    ...t.routers.flatMap((r) => [r.outside, ...r.inside].map((i) => ({ node: r.name, iface: i.name }))),
    { node: t.services.host, iface: t.hosts.find((h) => h.name === t.services.host)!.iface.name },
  ];
}

/** Starts every capture and returns once each one listens (so no early STUN packet is missed). */
export async function startCaptures(lab: StartedLab, dir: string): Promise<Capture[]> {
  mkdirSync(dir, { recursive: true });
  const captures = captureTargets(lab).map(({ node, iface }) => {
    const file = join(dir, `${node}-${iface}.pcap`);
    // --immediate-mode: take each packet from the kernel as it arrives (otherwise libpcap hands
    // them over a ring block at a time, and a run shorter than the block timeout loses its tail
    // when tcpdump is stopped); -U: write each packet at once; -Z root: keep writing as root;
    // -s/-B: immediate mode gives each packet a ring slot as large as the snap length, so the
    // default (256 KiB) fits 16 packets in 4 MiB and drops bursts (lab/wire/capture.ts).
    const process = lab.spawn(node, ['tcpdump', '-i', iface, '-n', '--immediate-mode', '-U', '-Z', 'root', '-s', '16384', '-B', '16384', '-w', file]);
    return { node, iface, file, process };
  });
  await Promise.all(
    captures.map(async (c) => {
      const log = new LineLog();
      log.follow(c.process.stderr);
      log.follow(c.process.stdout);
      await Promise.race([
        log.waitFor(LISTENING, 5000),
        c.process.exited.then(({ code }) => {
          throw new LabError('command-failed', `tcpdump on ${c.node}/${c.iface} exited (code ${code}): ${log.tail(3)}`, 'install tcpdump (apt-get install tcpdump)');
        }),
      ]);
    }),
  );
  return captures;
}

export async function stopCaptures(captures: Capture[]): Promise<void> {
  await Promise.all(captures.map((c) => c.process.stop(2000)));
}
