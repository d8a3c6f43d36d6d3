// The web app's own server: https for the page, wss for signaling (rooms of two: every message goes
// to the other member, early ones wait for it), ICE servers from its environment at /config.json.
// It knows nothing of any lab: give it a certificate (TLS_CERT/TLS_KEY files, or LAB_TLS_CERT/LAB_TLS_KEY as a lab gives them) and its ICE servers.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { WebSocketServer } from 'ws';

const port = Number(process.env.PORT ?? 8443);
const page = readFileSync(new URL('./index.html', import.meta.url));
const config = {
  iceServers: [
    ...(process.env.STUN_URL ? [{ urls: process.env.STUN_URL }] : []),
    ...(process.env.TURN_URL ? [{ urls: process.env.TURN_URL, username: process.env.TURN_USER, credential: process.env.TURN_PASS }] : []),
  ],
};

const server = createServer({ cert: readFileSync(process.env.TLS_CERT ?? process.env.LAB_TLS_CERT), key: readFileSync(process.env.TLS_KEY ?? process.env.LAB_TLS_KEY) }, (req, res) => {
  const path = new URL(req.url ?? '/', 'https://x').pathname;
  if (path === '/config.json') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(config));
  if (path === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(page);
  res.writeHead(404).end('not found');
});

const rooms = new Map();
new WebSocketServer({ server, path: '/signal' }).on('connection', (ws, req) => {
  const room = new URL(req.url ?? '/', 'https://x').searchParams.get('room') ?? 'default';
  const r = rooms.get(room) ?? { members: new Set(), pending: [] };
  rooms.set(room, r);
  if (r.members.size >= 2) return ws.close(4000, 'room full');
  r.members.add(ws);
  if (r.members.size === 2) for (const m of r.pending.splice(0)) ws.send(m);
  ws.on('message', (data) => {
    const other = [...r.members].find((m) => m !== ws);
    if (other) other.send(data.toString());
    else r.pending.push(data.toString());
  });
  ws.on('close', () => {
    r.members.delete(ws);
    if (!r.members.size) rooms.delete(room);
  });
});
server.listen(port, '0.0.0.0', () => console.log(`https and wss on ${port}`));
process.on('SIGTERM', () => process.exit(0));
