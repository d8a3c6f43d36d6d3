// Lab traffic never leaves the lab: no lab node reaches any address of the machine's own namespace,
// and building a lab adds nothing to that namespace.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../lab/model/topology-file.js';
import { withLab } from './helpers.js';

const PROBE = `
const dgram = require('node:dgram'), net = require('node:net');
const [addrs, udpPort, tcpPort] = [process.argv[1].split(','), +process.argv[2], +process.argv[3]];
const s = dgram.createSocket('udp4');
s.on('error', () => {});
for (const a of addrs) s.send('escape', udpPort, a, () => {});
let open = 0;
Promise.all(addrs.map((a) => new Promise((r) => {
  const c = net.connect({ host: a, port: tcpPort, timeout: 700 });
  c.on('connect', () => { open++; c.destroy(); r(); });
  c.on('timeout', () => { c.destroy(); r(); });
  c.on('error', () => r());
}))).then(() => { console.log(JSON.stringify({ tcpConnected: open })); s.close(); });
`;

describe('isolation from the machine', () => {
  it('no lab node can reach any address of the main namespace', async () => {
    const addrs = Object.values(networkInterfaces()).flat().filter((i) => i && i.family === 'IPv4').map((i) => i!.address);
    expect(addrs.length).toBeGreaterThan(0);
    const received: string[] = [];
    const udp = createSocket('udp4').on('message', (_m, r) => received.push(`udp from ${r.address}`));
    await new Promise<void>((r) => udp.bind(0, '0.0.0.0', () => r()));
    const tcp = createServer((c) => { received.push(`tcp from ${c.remoteAddress}`); c.destroy(); });
    await new Promise<void>((r) => tcp.listen(0, '0.0.0.0', () => r()));
    const udpPort = udp.address().port;
    const tcpPort = (tcp.address() as { port: number }).port;
    try {
      await withLab(loadTopology('cgnat'), async (lab) => {
        for (const node of ['a', 'm', 'srv', 'homea', 'cgn']) {
          const out = await lab.exec(node, ['node', '-e', PROBE, addrs.join(','), String(udpPort), String(tcpPort)]);
          expect(JSON.parse(out.stdout)).toEqual({ tcpConnected: 0 });
        }
      });
      await new Promise((r) => setTimeout(r, 200));
      expect(received).toEqual([]);
    } finally {
      udp.close();
      tcp.close();
    }
  });

  it('building and removing a lab leaves the main namespace untouched', async () => {
    const links = () => execFileSync('ip', ['-o', 'link', 'show']).toString().split('\n').map((l) => l.split(':')[1]?.trim()).filter(Boolean).sort();
    const before = links();
    await withLab(loadTopology('cgnat'), async () => {
      expect(links()).toEqual(before);
    });
    expect(links()).toEqual(before);
  });
});
