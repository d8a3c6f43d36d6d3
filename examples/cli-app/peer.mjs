// A command-line WebRTC peer on node-datachannel (libdatachannel + libjuice). It knows nothing of
// any lab: it talks to its own signaling server by name, uses STUN/TURN by hostname, opens a data
// channel, exchanges a few messages, prints "done" and exits 0.
//
//   node peer.mjs --role caller|callee --signal ws://signal.example.com:8080 --room r1 \
//     --stun stun:stun.example.com:3478 --turn turn:user:pass@turn.example.com:3478 [--messages 10] [--interval 200] [--timeout 20000]
//     [--log Warning|Info|Debug]   libdatachannel's own log (ICE, DTLS, SCTP), on stdout
import nodeDataChannel from 'node-datachannel';
import WebSocket from 'ws';

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const role = args.role;
if (role !== 'caller' && role !== 'callee') die('give --role caller or --role callee');
if (!args.signal) die('give --signal ws://host:port');
const messages = Number(args.messages ?? 10);
// Each message padded to about a kilobyte, as an app's payloads are.
const pad = (text) => text.padEnd(1000, '.');
const interval = Number(args.interval ?? 200);
const log = (line) => console.log(`[${role}] ${line}`);
if (args.log) nodeDataChannel.initLogger(args.log, (level, message) => log(`rtc ${level}: ${message}`));

/** libdatachannel exits cleanly only this way (its threads outlive a normal cleanup). */
function exit(code) {
  process.exit(code);
}
function die(message) {
  console.error(`[${role ?? 'peer'}] error: ${message}`);
  exit(1);
}
setTimeout(() => die(`not done within ${args.timeout ?? 20000} ms`), Number(args.timeout ?? 20000)).unref();

/** "turn:user:pass@host:port" or "stun:host:port" -> libdatachannel's server object. */
function iceServer(uri) {
  const m = /^(stun|turn):(?:([^:@]+):([^@]+)@)?([^:]+):(\d+)$/.exec(uri);
  if (!m) die(`not an ICE server URI: ${uri}`);
  const [, scheme, username, password, hostname, port] = m;
  return scheme === 'turn' ? { hostname, port: Number(port), username, password, relayType: 'TurnUdp' } : { hostname, port: Number(port) };
}
const iceServers = [args.stun, args.turn].filter(Boolean).map(iceServer);

const ws = new WebSocket(`${args.signal}/?room=${encodeURIComponent(args.room ?? 'default')}`);
ws.on('error', (err) => die(`signaling: ${err.message}`));
const send = (msg) => ws.send(JSON.stringify(msg));

const pc = new nodeDataChannel.PeerConnection(role, { iceServers });
pc.onLocalDescription((sdp, type) => send({ type: 'description', sdp, kind: type }));
pc.onLocalCandidate((candidate, mid) => send({ type: 'candidate', candidate, mid }));
pc.onStateChange((state) => log(`connection ${state}`));

// libdatachannel refuses a remote candidate before the remote description: hold them until then.
let haveRemote = false;
const early = [];
const addCandidate = (c) => {
  try {
    pc.addRemoteCandidate(c.candidate, c.mid ?? '0');
  } catch (err) {
    log(`candidate ignored: ${err.message}`);
  }
};

function talk(dc) {
  let count = 0;
  dc.onMessage((msg) => {
    const text = String(msg);
    if (role === 'callee') {
      if (text === 'bye') {
        log('done');
        exit(0);
      }
      dc.sendMessage(pad(text.replace('ping', 'pong').replace(/\.+$/, '')));
      return;
    }
    log(`got ${text.replace(/\.+$/, '')}`);
    // Spaced out, as an app's traffic is: ICE may still switch to a better pair meanwhile.
    if (++count < messages) return void setTimeout(() => dc.sendMessage(pad(`ping ${count + 1}`)), interval);
    dc.sendMessage('bye');
    // Let the bye leave before the process goes.
    setTimeout(() => {
      log('done');
      exit(0);
    }, 300);
  });
  if (role === 'caller') dc.sendMessage(pad('ping 1'));
}

ws.on('open', () => {
  log('signaling connected');
  if (role === 'caller') {
    const dc = pc.createDataChannel('chat');
    dc.onOpen(() => {
      log('datachannel open');
      talk(dc);
    });
  } else {
    pc.onDataChannel((dc) => {
      log('datachannel open');
      talk(dc);
    });
  }
});
ws.on('message', (data) => {
  const msg = JSON.parse(data.toString());
  if (msg.type === 'description') {
    pc.setRemoteDescription(msg.sdp, msg.kind);
    haveRemote = true;
    for (const c of early.splice(0)) addCandidate(c);
  } else if (msg.type === 'candidate') {
    if (haveRemote) addCandidate(msg);
    else early.push(msg);
  }
});
