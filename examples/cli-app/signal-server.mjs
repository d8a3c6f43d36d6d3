// A tiny signaling server: WebSocket rooms of two; every message goes to the other member of the
// room, and messages sent before the other one joined wait for it. It knows nothing of any lab.
//   node signal-server.mjs [port]      clients connect to ws://host:port/?room=<room>
import { WebSocketServer } from 'ws';

const port = Number(process.argv[2] ?? process.env.PORT ?? 8080);
/** room -> { members: Set<WebSocket>, pending: Map<WebSocket, string[]> } */
const rooms = new Map();

const wss = new WebSocketServer({ port });
wss.on('connection', (ws, req) => {
  const room = new URL(req.url ?? '/', 'ws://x').searchParams.get('room') ?? 'default';
  const r = rooms.get(room) ?? { members: new Set(), pending: [] };
  rooms.set(room, r);
  if (r.members.size >= 2) return ws.close(4000, 'room full');
  r.members.add(ws);
  console.log(`join room=${room} members=${r.members.size}`);
  // Whatever the first member said before this one came.
  if (r.members.size === 2) for (const m of r.pending.splice(0)) ws.send(m);
  ws.on('message', (data) => {
    const text = data.toString();
    const other = [...r.members].find((m) => m !== ws);
    if (other) other.send(text);
    else r.pending.push(text);
  });
  ws.on('close', () => {
    r.members.delete(ws);
    if (!r.members.size) rooms.delete(room);
  });
});
wss.on('listening', () => console.log(`signaling on port ${port}`));
