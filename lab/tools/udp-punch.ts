/**
 * UDP hole punching between two hosts, as a process inside one lab host (the proof that NATs
 * behave as RFC 4787 predicts, without any WebRTC stack in the way).
 *
 *   node udp-punch.mjs <stun-server-ip> [stun-port]
 * stdout (JSON lines): {"event":"mapped","address","port"} once the STUN server answered; then,
 * after a line {"peer":"ip:port","delayMs":0,"durationMs":3000} on stdin, punch packets are sent
 * every 20 ms; {"event":"received","from"} for the first packet from the peer (answered at once,
 * to whatever address it came from; one per new source), and finally {"event":"done","received":bool,"sent":n}.
 */
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { bindingRequest, isStun, mappedAddress } from './stun-message.js';

const [server, portArg] = process.argv.slice(2);
const stunPort = Number(portArg ?? 3478);
const say = (obj: object) => process.stdout.write(JSON.stringify(obj) + '\n');
if (!server) {
  process.stderr.write('usage: udp-punch <stun-server-ip> [stun-port]\n');
  process.exit(2);
}

const socket = createSocket('udp4');
const txid = randomBytes(12);
let mapped = false;
let received = false;
const sources = new Set<string>();
let sent = 0;

socket.on('message', (msg, rinfo) => {
  if (isStun(msg)) {
    const m = mappedAddress(msg, txid);
    if (m && !mapped) {
      mapped = true;
      say({ event: 'mapped', ...m, localPort: socket.address().port });
    }
    return;
  }
  if (msg.toString().startsWith('punch')) {
    const from = `${rinfo.address}:${rinfo.port}`;
    if (!sources.has(from)) say({ event: 'received', from });
    sources.add(from);
    received = true;
    if (msg.toString() === 'punch') socket.send('punch-ack', rinfo.port, rinfo.address);
  }
});

socket.bind(0, () => {
  const ask = () => !mapped && socket.send(bindingRequest(txid), stunPort, server);
  ask();
  const retry = setInterval(() => (mapped ? clearInterval(retry) : ask()), 200);
});

createInterface({ input: process.stdin }).once('line', (line) => {
  const { peer, delayMs = 0, durationMs = 3000 } = JSON.parse(line) as { peer: string; delayMs?: number; durationMs?: number };
  const [address, port] = [peer.slice(0, peer.lastIndexOf(':')), Number(peer.slice(peer.lastIndexOf(':') + 1))];
  setTimeout(() => {
    const timer = setInterval(() => {
      socket.send('punch', port, address);
      sent++;
    }, 20);
    setTimeout(() => {
      clearInterval(timer);
      say({ event: 'done', received, sent });
      socket.close();
      process.exit(0);
    }, durationMs);
  }, delayMs);
});
