/**
 * Packets from the lab's internet -> each session's path per direction. Pure: packets and the lab's
 * addresses in, a SessionWire per session out (classify.test.ts runs it on recorded captures).
 *
 * Every datagram (and every TURN frame of a TURN-over-TCP stream) is one of:
 *   - a client leg: a peer <-> the TURN server's port; Send/Data indications and ChannelData are
 *     unwrapped (XOR-PEER-ADDRESS, DATA, channels from ChannelBind) to the packet inside;
 *   - a relay leg: a relayed address <-> a peer's public endpoint (or another relayed address);
 *   - direct: a peer's public endpoint <-> another's;
 *   - TLS to the TURN server: opaque, only counted; its allocation comes from coturn's log.
 * The packet inside is told by its first byte (RFC 7983): STUN, DTLS, RTP/RTCP.
 */
import type { Outcome } from '../model/scenario.js';
import type { SessionWire, WireCount, WireDirection, WirePath, WireRelay } from '../model/run-result.js';
import { METHOD, isDtlsApplicationData, classOf, parseChannelData, parseStun } from './demux.js';
import type { IpPacket } from './pcap.js';
import { turnTcpFrames } from './tcp-stream.js';

export interface WireContext {
  /** Each peer and the addresses its packets carry on the internet (its outermost NAT's, or its own). */
  peers: { name: string; publicAddresses: string[] }[];
  sessions: { viewer: string; camera: string }[];
  turn: {
    addresses: string[];
    /** STUN/TURN over UDP and TCP. */
    port: number;
    /** TURN over TLS ("ip:port" each). */
    tls: string[];
  };
  /** Allocations coturn logged (relayed address, username): the only source for TURN over TLS. */
  loggedAllocations: { relayed: string; username: string | null }[];
  /** The run's start on the capture's clock (Unix ms): times in the view are relative to it. */
  t0: number;
}

interface Allocation {
  relayed: string;
  owner: string | null;
  server: string | null;
  transport: WireRelay['transport'];
}

type Kind = 'check' | 'dtls' | 'rtp';

interface Observation {
  sender: string;
  receiver: string;
  t: number;
  kind: Kind;
  sctp: boolean;
  bytes: number;
  /** 0: as the sender put it on the internet; 1: leaving a relay; 2: from the server to the receiver. */
  leg: number;
  senderRelay: string | null;
  receiverRelay: string | null;
  from: string | null;
  to: string | null;
}

const ep = (ip: string, port: number) => `${ip}:${port}`;
/** A relayed packet's legs cross the capture within this long of each other. */
const CHANGE_MERGE_MS = 100;
const ipOf = (endpoint: string) => endpoint.slice(0, endpoint.lastIndexOf(':'));

export function classifyWire(packets: IpPacket[], ctx: WireContext): SessionWire[] {
  return new Classifier(ctx).run(packets);
}

class Classifier {
  private allocations = new Map<string, Allocation>();
  /** TURN client flow ("transport client>server") -> its relayed address. */
  private clientAllocation = new Map<string, string>();
  /** TURN client flow -> channel number -> peer address. */
  private channels = new Map<string, Map<number, string>>();
  /** Allocate requests by transaction id -> the peer their USERNAME names. */
  private allocateUser = new Map<string, string | null>();
  private observations: Observation[] = [];
  /** Each peer's first TLS connection to the TURN server. */
  private tlsPeers = new Map<string, { client: string; server: string }>();

  constructor(private readonly ctx: WireContext) {}

  run(packets: IpPacket[]): SessionWire[] {
    const sorted = [...packets].sort((a, b) => a.t - b.t);
    const tcpTurn = sorted.filter((p) => p.proto === 'tcp' && (this.isTurnServer(p.dst, p.dstPort) || this.isTurnServer(p.src, p.srcPort)));
    const units = [
      ...sorted.filter((p) => p.proto === 'udp').map((p) => ({ t: p.t, transport: 'udp' as const, src: p.src, srcPort: p.srcPort, dst: p.dst, dstPort: p.dstPort, data: p.payload, length: p.length })),
      ...turnTcpFrames(tcpTurn).map((f) => ({ ...f, transport: 'tcp' as const, length: f.data.length })),
    ].sort((a, b) => a.t - b.t);
    for (const p of sorted) if (p.proto === 'tcp' && this.isTlsServer(p.dst, p.dstPort)) this.noteTls(p);
    // Allocations first (in capture order they precede their use anyway; this also catches logged ones).
    for (const u of units) this.learn(u);
    this.learnFromLog();
    for (const u of units) this.observe(u);
    return this.ctx.sessions.map((s) => this.session(s.viewer, s.camera));
  }

  private isTurnServer(ip: string, port: number): boolean {
    return this.ctx.turn.addresses.includes(ip) && port === this.ctx.turn.port;
  }

  private isTlsServer(ip: string, port: number): boolean {
    return this.ctx.turn.tls.includes(ep(ip, port));
  }

  /** The peer whose public address this is, if exactly one has it. */
  private peerAt(ip: string): string | null {
    const owners = this.ctx.peers.filter((p) => p.publicAddresses.includes(ip));
    return owners.length === 1 ? owners[0].name : null;
  }

  /**
   * The peer a TURN username names: the lab's REST credentials are "<expiry>:<peer id>"; the KVS
   * emulator's are "<expiry>:<channel>.<client id>", where the master (the camera) is "MASTER" and
   * a viewer's client id is its peer id.
   */
  private peerNamed(username: string | null): string | null {
    if (!username) return null;
    const id = username.slice(username.indexOf(':') + 1);
    const named = (name: string) => this.ctx.peers.find((p) => p.name === name)?.name ?? null;
    const clientId = id.slice(id.lastIndexOf('.') + 1);
    return named(id) ?? (id.includes('.') ? (clientId === 'MASTER' ? (this.ctx.sessions[0]?.camera ?? null) : named(clientId)) : null);
  }

  private noteTls(p: IpPacket): void {
    const owner = this.peerAt(p.src);
    if (owner && !this.tlsPeers.has(owner)) this.tlsPeers.set(owner, { client: ep(p.src, p.srcPort), server: ep(p.dst, p.dstPort) });
  }

  private learn(u: Unit): void {
    const data = u.data;
    if (classOf(data) !== 'stun') return;
    const toServer = this.isTurnServer(u.dst, u.dstPort);
    const fromServer = this.isTurnServer(u.src, u.srcPort);
    if (!toServer && !fromServer) return;
    const m = parseStun(data);
    if (!m) return;
    const client = toServer ? ep(u.src, u.srcPort) : ep(u.dst, u.dstPort);
    const server = toServer ? ep(u.dst, u.dstPort) : ep(u.src, u.srcPort);
    const flow = `${u.transport} ${client}>${server}`;
    if (toServer && m.method === METHOD.allocate && m.cls === 'request') this.allocateUser.set(m.transactionId, this.peerNamed(m.username));
    if (fromServer && m.method === METHOD.allocate && m.cls === 'success' && m.relayed) {
      const owner = this.allocateUser.get(m.transactionId) ?? this.peerAt(ipOf(client));
      this.allocations.set(m.relayed, { relayed: m.relayed, owner, server, transport: u.transport });
      this.clientAllocation.set(flow, m.relayed);
    }
    if (toServer && m.method === METHOD.channelBind && m.cls === 'request' && m.channel !== null && m.peer) {
      const map = this.channels.get(flow) ?? new Map<number, string>();
      map.set(m.channel, m.peer);
      this.channels.set(flow, map);
    }
  }

  private learnFromLog(): void {
    for (const a of this.ctx.loggedAllocations) {
      if (this.allocations.has(a.relayed)) continue;
      const owner = this.peerNamed(a.username);
      // Not on the wire in the clear: TURN over TLS, if its owner spoke TLS to the server.
      const tls = owner ? this.tlsPeers.get(owner) : undefined;
      this.allocations.set(a.relayed, { relayed: a.relayed, owner, server: tls?.server ?? null, transport: tls ? 'tls' : null });
    }
  }

  private ownerOf(endpoint: string): { peer: string | null; relay: string | null } {
    const a = this.allocations.get(endpoint);
    if (a) return { peer: a.owner, relay: endpoint };
    return { peer: this.peerAt(ipOf(endpoint)), relay: null };
  }

  private observe(u: Unit): void {
    const src = ep(u.src, u.srcPort);
    const dst = ep(u.dst, u.dstPort);
    const toServer = this.isTurnServer(u.dst, u.dstPort);
    const fromServer = this.isTurnServer(u.src, u.srcPort);
    if (toServer || fromServer) {
      const client = toServer ? src : dst;
      const flow = `${u.transport} ${client}>${toServer ? dst : src}`;
      const own = this.clientAllocation.get(flow);
      if (!own) return;
      const inner = this.unwrap(u.data, flow);
      if (!inner) return;
      const far = this.ownerOf(inner.peer);
      const me = this.allocations.get(own)!.owner;
      if (!me || !far.peer) return;
      if (toServer) this.record({ sender: me, receiver: far.peer, leg: 0, senderRelay: own, receiverRelay: far.relay, from: client, to: far.relay ? null : inner.peer }, u.t, inner.data, inner.data.length);
      else this.record({ sender: far.peer, receiver: me, leg: 2, senderRelay: far.relay, receiverRelay: own, from: far.relay ? null : inner.peer, to: client }, u.t, inner.data, inner.data.length);
      return;
    }
    if (u.transport !== 'udp') return;
    const s = this.ownerOf(src);
    const d = this.ownerOf(dst);
    if (!s.peer || !d.peer || s.peer === d.peer) return;
    const leg = s.relay ? 1 : 0;
    this.record({ sender: s.peer, receiver: d.peer, leg, senderRelay: s.relay, receiverRelay: d.relay, from: s.relay ? null : src, to: d.relay ? null : dst }, u.t, u.data, u.length);
  }

  /** The packet inside a Send/Data indication or ChannelData, and the peer address it goes to or comes from. */
  private unwrap(data: Uint8Array, flow: string): { peer: string; data: Uint8Array } | null {
    const c = classOf(data);
    if (c === 'channel') {
      const cd = parseChannelData(data);
      const peer = cd && this.channels.get(flow)?.get(cd.channel);
      return cd && peer ? { peer, data: cd.data } : null;
    }
    if (c !== 'stun') return null;
    const m = parseStun(data);
    if (!m || m.cls !== 'indication' || (m.method !== METHOD.send && m.method !== METHOD.data) || !m.peer || !m.data) return null;
    return { peer: m.peer, data: m.data };
  }

  private record(o: Omit<Observation, 't' | 'kind' | 'sctp' | 'bytes'>, t: number, data: Uint8Array, bytes: number): void {
    const c = classOf(data);
    let kind: Kind;
    if (c === 'dtls') kind = 'dtls';
    else if (c === 'rtp') kind = 'rtp';
    else if (c === 'stun') {
      const m = parseStun(data);
      if (!m || m.method !== METHOD.binding || m.cls !== 'request') return;
      kind = 'check';
    } else return;
    this.observations.push({ ...o, t, kind, sctp: kind === 'dtls' && isDtlsApplicationData(data), bytes });
  }

  private session(viewer: string, camera: string): SessionWire {
    const notes: string[] = [];
    const va = this.ctx.peers.find((p) => p.name === viewer)?.publicAddresses ?? [];
    const ca = this.ctx.peers.find((p) => p.name === camera)?.publicAddresses ?? [];
    const shared = va.some((a) => ca.includes(a));
    if (shared) notes.push(`${viewer} and ${camera} share a public address (${va.find((a) => ca.includes(a))}): a path between them through their NAT's hairpin never crosses the internet, and the wire cannot tell their packets apart`);
    const directions: [WireDirection, WireDirection] = [this.direction(viewer, camera), this.direction(camera, viewer)];
    let outcome: Outcome | null;
    // Connected once each direction carries what only a finished DTLS handshake sends: SCTP
    // (DTLS application data) or SRTP. A handshake that never finishes still shows DTLS packets.
    if (directions.some((d) => !d.sctp.packets && !d.rtp.packets)) outcome = shared ? null : 'failed';
    else outcome = directions.some((d) => d.path?.kind === 'relay') ? 'relay' : 'direct';
    for (const d of directions) if (d.countedPastTls) notes.push(`${d.from} -> ${d.to}: TURN over TLS is opaque; counted where the packets leave the server in the clear`);
    return { outcome, directions, disagreements: [], notes };
  }

  private direction(from: string, to: string): WireDirection {
    const obs = this.observations.filter((o) => o.sender === from && o.receiver === to);
    const first = (k: Kind) => {
      const o = obs.find((x) => x.kind === k);
      return o ? Math.round((o.t - this.ctx.t0) * 10) / 10 : null;
    };
    const zero = (): WireCount => ({ packets: 0, bytes: 0 });
    const totals = { dtls: zero(), sctp: zero(), rtp: zero() };
    const byPath = new Map<string, { path: WirePath; bytes: number; firstLeg: number }>();
    let pastTls = false;
    for (const [key, group] of groupBy(obs.filter((o) => o.kind !== 'check'), (o) => `${o.senderRelay}>${o.receiverRelay}`)) {
      // Each packet is counted once: on the first leg the wire shows it on (TLS hides leg 0).
      const leg = Math.min(...group.map((o) => o.leg));
      const counted = group.filter((o) => o.leg === leg);
      const bytes = counted.reduce((n, o) => n + o.bytes, 0);
      for (const o of counted) {
        const add = (c: WireCount) => ((c.packets += 1), (c.bytes += o.bytes));
        add(o.kind === 'rtp' ? totals.rtp : totals.dtls);
        if (o.sctp) add(totals.sctp);
      }
      const path = this.pathOf(group);
      if (leg > 0 && path.relays[0]?.transport === 'tls' && path.relays[0].owner === from) pastTls = true;
      byPath.set(key, { path, bytes, firstLeg: leg });
    }
    const ranked = [...byPath.values()].sort((a, b) => b.bytes - a.bytes);
    const last = obs.filter((o) => o.kind !== 'check').reduce<Observation | undefined>((a, o) => (!a || o.t >= a.t ? o : a), undefined);
    const pathChanges = this.pathChanges(obs, byPath);
    return {
      from,
      to,
      path: ranked[0]?.path ?? null,
      settledPath: last ? byPath.get(`${last.senderRelay}>${last.receiverRelay}`)!.path : null,
      otherPaths: ranked.slice(1).map((r) => ({ ...r.path, bytes: r.bytes })),
      pathChanges,
      firstStunCheckMs: first('check'),
      firstDtlsMs: first('dtls'),
      firstMediaMs: first('rtp'),
      ...totals,
      countedPastTls: pastTls,
    };
  }

  /**
   * Where this direction's DTLS and media went over time: a change when the relays change or an
   * end does (a NAT's new port after a rebinding is one). An end seen on a later leg of a relayed
   * packet completes the change its first leg began (within CHANGE_MERGE_MS), not a second one.
   */
  private pathChanges(obs: Observation[], byPath: Map<string, { path: WirePath }>): { tMs: number; path: WirePath }[] {
    const ends = new Map<string, { from: string | null; to: string | null }>();
    const changes: { t: number; relayKey: string; key: string; path: WirePath }[] = [];
    for (const o of obs) {
      if (o.kind === 'check') continue;
      const relayKey = `${o.senderRelay}>${o.receiverRelay}`;
      const e = ends.get(relayKey) ?? { from: null, to: null };
      if (o.from) e.from = o.from;
      if (o.to) e.to = o.to;
      ends.set(relayKey, e);
      const base = byPath.get(relayKey)!.path;
      const key = `${relayKey} ${e.from}>${e.to}`;
      const last = changes.at(-1);
      if (last?.key === key) continue;
      const path = { ...base, from: e.from ?? base.from, to: e.to ?? base.to };
      if (last && last.relayKey === relayKey && o.t - last.t < CHANGE_MERGE_MS) Object.assign(last, { key, path });
      else changes.push({ t: o.t, relayKey, key, path });
    }
    return changes.map((c) => ({ tMs: Math.round((c.t - this.ctx.t0) * 10) / 10, path: c.path }));
  }

  private pathOf(group: Observation[]): WirePath {
    const { senderRelay, receiverRelay } = group[0];
    const relays = [senderRelay, receiverRelay].filter((r): r is string => r !== null).map((r) => {
      const a = this.allocations.get(r)!;
      return { owner: a.owner ?? '?', server: a.server, transport: a.transport, relayedAddress: r };
    });
    const tlsClient = (relay: string | null) => (relay ? this.tlsPeers.get(this.allocations.get(relay)!.owner ?? '')?.client ?? null : null);
    const from = group.find((o) => o.from)?.from ?? tlsClient(senderRelay);
    const to = group.find((o) => o.to)?.to ?? tlsClient(receiverRelay);
    return { kind: relays.length ? 'relay' : 'direct', from, to, relays };
  }
}

interface Unit {
  t: number;
  transport: 'udp' | 'tcp';
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  data: Uint8Array;
  length: number;
}

function groupBy<T>(items: T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of items) {
    const k = key(x);
    const list = m.get(k);
    if (list) list.push(x);
    else m.set(k, [x]);
  }
  return m;
}
