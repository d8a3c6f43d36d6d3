/**
 * pi-webrtc's MQTT signaling (MQTT v5, topics in ./mqtt-topics.ts) behind the PeerSignaling the
 * peers' WebRTC code uses: the lab's `{type, to, sdp|candidate}` messages become publishes, and
 * publishes on the subscribed topics come back as `{type, from, ...}`.
 *
 * The camera (uid = its peer id) subscribes with No-Local to `<uid>/{offer,answer,ice}/+`; a
 * viewer (cid = its peer id) to `<uid>/answer/<cid>` and `<uid>/ice/<cid>`. Everything is
 * published with QoS 2, as pi-webrtc does. pi-webrtc has no end-of-candidates nor bye: dropped.
 *
 * Runs in Node (the werift peers, mqtt.js over TCP) and in the Chromium viewer's page (mqtt.js's
 * browser build over the broker's WebSocket listener): events go out through the `report` given.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { EventFields } from '../../lab/contract/events.js';
import { cameraFilters, parsePayload, parseTopic, topic, viewerFilters, type TopicKind } from './mqtt-topics.js';
import type { Incoming, PeerSignaling } from './signaling-client.js';

export type MqttRole = { role: 'camera'; uid: string } | { role: 'viewer'; uid: string; cid: string };

/** Where the client's contract events go: `emit` in Node, `window.labEmit` in a page. */
export interface MqttReport {
  (event: 'signaling-step', fields: EventFields<'signaling-step'> & Record<string, unknown>): void;
  (event: 'warning', fields: EventFields<'warning'>): void;
  (event: 'signaling-closed', fields: EventFields<'signaling-closed'>): void;
}

/**
 * Nothing is retained or queued for a subscriber that is not there yet: an offer published before
 * the camera subscribed is lost. Until the camera's first message, a viewer publishes what it sent
 * again this often, and the camera drops exact repeats (see docs/protocols.md).
 */
const REPLAY_MS = 2000;
const RETRY_MS = 100;

export class MqttSignaling implements PeerSignaling {
  private handlers: ((msg: Incoming) => void)[] = [];
  private held: Incoming[] = [];
  private closing = false;
  /** Viewer: what it published, for replays until the camera answers. */
  private sent: { topic: string; payload: string }[] = [];
  private replayTimer: NodeJS.Timeout | null = null;
  /** Camera: payloads already taken, per topic (a viewer's replays). */
  private seen = new Map<string, Set<string>>();

  private constructor(
    private readonly client: MqttClient,
    private readonly who: MqttRole,
    private readonly emit: MqttReport,
  ) {}

  /** Connects (retrying until the broker answers or the deadline) and subscribes. */
  static async connect(url: string, who: MqttRole, deadlineMs: number, emit: MqttReport): Promise<MqttSignaling> {
    const clientId = who.role === 'camera' ? `${who.uid}-camera` : `${who.uid}-${who.cid}`;
    const client = mqtt.connect(url, { protocolVersion: 5, clientId, clean: true, reconnectPeriod: RETRY_MS, connectTimeout: Math.max(1000, deadlineMs - Date.now()) });
    const self = new MqttSignaling(client, who, emit);
    let lastError = 'no answer';
    client.on('error', (err) => (lastError = err.message));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        client.end(true);
        reject(new Error(`MQTT broker ${url}: not connected before the deadline (${lastError})`));
      }, Math.max(0, deadlineMs - Date.now()));
      client.once('connect', () => (clearTimeout(timer), resolve()));
    });
    client.on('message', (name, payload) => self.receive(name, payload.toString()));
    // mqtt.js reconnects by itself (and says "close" after every failed attempt): report a loss once.
    let up = true;
    client.on('connect', () => (up = true));
    client.on('close', () => {
      if (self.closing || !up) return;
      up = false;
      emit('signaling-closed', { code: 0, reason: `MQTT connection to ${url} closed (${lastError}); reconnecting` });
    });
    const filters = who.role === 'camera' ? cameraFilters(who.uid) : viewerFilters(who.uid, who.cid);
    // QoS 0 subscriptions on the camera, as pi-webrtc's; No-Local keeps a side's own publishes away.
    const granted = await client.subscribeAsync(filters, { qos: who.role === 'camera' ? 0 : 2, nl: true });
    const refused = granted.filter((g) => g.qos >= 128);
    if (refused.length) throw new Error(`MQTT broker ${url} refused the subscription to ${refused.map((g) => g.topic).join(', ')}`);
    const qos = granted.map((g) => g.qos);
    emit('signaling-step', { protocol: 'mqtt', step: 'subscribe', topics: filters, noLocal: true, qos, detail: `connected to the MQTT broker (MQTT v5) and subscribed with No-Local (its own publishes are not sent back to it) to ${filters.join(', ')} (granted QoS ${[...new Set(qos)].join(', ')})` });
    return self;
  }

  onMessage(handler: (msg: Incoming) => void): void {
    this.handlers.push(handler);
    for (const msg of this.held.splice(0)) handler(msg);
  }

  send(msg: Record<string, unknown>): void {
    const to = this.who.role === 'camera' ? String(msg.to) : this.who.cid;
    if (msg.type === 'offer' || msg.type === 'answer') this.publish(msg.type, to, { type: msg.type, sdp: msg.sdp });
    else if (msg.type === 'candidate') {
      const c = msg.candidate as { candidate?: string; sdpMid?: string | null; sdpMLineIndex?: number | null };
      this.publish('ice', to, { sdpMid: c.sdpMid ?? null, sdpMLineIndex: c.sdpMLineIndex ?? null, candidate: c.candidate ?? '' });
    }
  }

  close(): void {
    this.closing = true;
    if (this.replayTimer) clearInterval(this.replayTimer);
    this.client.end();
  }

  private publish(kind: TopicKind, cid: string, body: Record<string, unknown>): void {
    const name = topic(this.who.uid, kind, cid);
    const payload = JSON.stringify(body);
    this.client.publish(name, payload, { qos: 2 });
    const session = this.who.role === 'camera' ? cid : this.who.uid;
    if (kind === 'ice') this.emit('signaling-step', { protocol: 'mqtt', step: 'publish', session, topic: name, qos: 2, series: true, detail: `published a candidate on ${name} (QoS 2, {"sdpMid","sdpMLineIndex","candidate"})` });
    else this.emit('signaling-step', { protocol: 'mqtt', step: 'publish', session, topic: name, qos: 2, type: kind, detail: `published its ${kind} on ${name} (QoS 2, {"type":"${kind}","sdp"})` });
    if (this.who.role !== 'viewer') return;
    this.sent.push({ topic: name, payload });
    this.replayTimer ??= setInterval(() => this.replay(), REPLAY_MS);
  }

  private replay(): void {
    const topics = [...new Set(this.sent.map((s) => s.topic))];
    this.emit('signaling-step', { protocol: 'mqtt', step: 'republish', session: this.who.uid, topics, messages: this.sent.length, detail: `published its ${this.sent.length} message(s) again on ${topics.join(', ')}: nothing from the camera yet (a publish nobody has subscribed to is lost)` });
    for (const s of this.sent) this.client.publish(s.topic, s.payload, { qos: 2 });
  }

  private receive(name: string, payload: string): void {
    const parsed = parseTopic(this.who.uid, name);
    if (!parsed || (this.who.role === 'viewer' && parsed.cid !== this.who.cid)) return;
    const body = parsePayload(parsed.kind, payload);
    if ('error' in body) {
      this.emit('warning', { message: `MQTT ${name}: ${body.error}; ignored` });
      return;
    }
    if (this.who.role === 'camera') {
      const seen = this.seen.get(name) ?? new Set<string>();
      this.seen.set(name, seen);
      if (seen.has(payload)) return;
      seen.add(payload);
    } else if (this.replayTimer) {
      clearInterval(this.replayTimer);
      this.replayTimer = null;
      this.sent = [];
    }
    const from = this.who.role === 'camera' ? parsed.cid : this.who.uid;
    if (body.kind === 'sdp') this.emit('signaling-step', { protocol: 'mqtt', step: 'receive', session: from, topic: name, type: body.type, detail: `received the ${body.type} on ${name}` });
    else this.emit('signaling-step', { protocol: 'mqtt', step: 'receive', session: from, topic: name, series: true, detail: `received a candidate on ${name}` });
    const msg: Incoming = body.kind === 'sdp' ? { type: body.type, from, sdp: body.sdp } : { type: 'candidate', from, candidate: body.candidate };
    if (!this.handlers.length) this.held.push(msg);
    for (const h of this.handlers) h(msg);
  }
}
