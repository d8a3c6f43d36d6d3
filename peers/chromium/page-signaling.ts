/**
 * The Chromium viewer page's signaling, behind the same Signaling interface as the werift peers':
 * the lab's WebSocket protocol; pi-webrtc's MQTT with mqtt.js's browser build over the broker's
 * WebSocket listener (as picamera.js does); or WHEP with the page's own fetch() (the requests go
 * to the camera through the lab's tunnel, peers/chromium-viewer.ts routes them); or Kinesis Video
 * Streams as the KVS browser samples do (./kvs-page.ts, its own bundle, loaded only then).
 */
import type { EventFields, EventName } from '../../lab/contract/events.js';
import type { HttpTransport } from '../lib/http-tunnel.js';
import { MqttSignaling, type MqttReport } from '../lib/mqtt-signaling.js';
import type { PageKvsSettings } from './kvs-page.js';
import type { Incoming, Signaling } from '../lib/signaling-client.js';
import { WhepClient, type WhepReport } from '../lib/whep-client.js';

export type PageSignalingProtocol = 'lab' | 'mqtt' | 'whep' | 'kvs';

export interface PageSignalingConfig {
  signaling: PageSignalingProtocol;
  peerId: string;
  room: string;
  token: string;
  remote: string;
  signalingUrl: string;
  /** mqtt: the broker's WebSocket listener (ws://mqtt.lab.test:9001). */
  mqttUrl: string | null;
  /** whep: the camera's WHEP endpoint as the page reaches it. */
  whepUrl: string | null;
  /** kvs: the scenario's region, channel and credentials. */
  kvs?: PageKvsSettings | null;
  timeoutMs: number;
}

type Emit = <N extends EventName>(event: N, fields?: EventFields<N>) => Promise<void>;

/**
 * The lab's protocol: one WebSocket to the relay, messages addressed with `to`. `openWithinMs`: a
 * socket not open by then is aborted (before it opens, so it can never replace a later one).
 */
function labSignaling(cfg: PageSignalingConfig, openWithinMs?: number): Promise<Signaling> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${cfg.signalingUrl}?room=${encodeURIComponent(cfg.room)}&peer=${encodeURIComponent(cfg.peerId)}&token=${encodeURIComponent(cfg.token)}`);
    const timer =
      openWithinMs === undefined
        ? undefined
        : setTimeout(() => {
            ws.close();
            reject(new Error(`not open within ${openWithinMs} ms`));
          }, openWithinMs);
    const handlers: ((msg: Incoming) => void)[] = [];
    ws.onmessage = (e) => {
      const msg = JSON.parse(String(e.data)) as Incoming;
      for (const h of handlers) h(msg);
    };
    ws.onopen = () => {
      clearTimeout(timer);
      resolve({
        send: (msg) => ws.send(JSON.stringify({ ...msg, to: cfg.remote })),
        onMessage: (h) => void handlers.push(h),
        close: () => ws.close(),
      });
    };
    ws.onerror = () => {
      clearTimeout(timer);
      reject(new Error(`signaling ${cfg.signalingUrl}: connection failed`));
    };
  });
}

/** WHEP over the page's fetch(): a relative Location resolves against the endpoint's URL, as a browser client does. */
function fetchTransport(endpoint: string): HttpTransport {
  return async (req) => {
    const res = await fetch(new URL(req.path, endpoint), { method: req.method, headers: req.headers, body: req.method === 'GET' || req.method === 'HEAD' ? undefined : req.body });
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => (headers[k] = v));
    return { status: res.status, headers, body: await res.text() };
  };
}

/**
 * The lab's protocol again, after the page's host moved networks (a handover: the old socket's
 * address is gone, and TCP would take minutes to say so): a new WebSocket, tried with backoff (100
 * ms doubling to 1 s; an attempt that does not open within 2 s is given up) until `deadlineMs`.
 * The server replaces the old connection (close code 4001), so the camera sees the same peer.
 */
export async function reconnectLabSignaling(cfg: PageSignalingConfig, deadlineMs: number): Promise<Signaling> {
  for (let attempt = 0; ; attempt++) {
    const left = deadlineMs - Date.now();
    try {
      return await labSignaling(cfg, Math.min(2000, Math.max(0, left)));
    } catch (err) {
      const wait = Math.min(1000, 100 * 2 ** attempt);
      if (Date.now() + wait >= deadlineMs) throw new Error(`signaling ${cfg.signalingUrl}: no reconnect before the deadline (${attempt + 1} attempts; last: ${(err as Error).message})`);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

/** Connects the protocol the scenario asked for; `onFailure` gets a WHEP request that failed for good. */
export async function pageSignaling(cfg: PageSignalingConfig, emit: Emit, onFailure: (message: string) => void): Promise<Signaling> {
  if (cfg.signaling === 'lab') return labSignaling(cfg);
  if (cfg.signaling === 'mqtt') {
    if (!cfg.mqttUrl) throw new Error('signaling: mqtt without the broker\'s WebSocket URL (LAB_MQTT_WS_URL)');
    return MqttSignaling.connect(cfg.mqttUrl, { role: 'viewer', uid: cfg.remote, cid: cfg.peerId }, Date.now() + cfg.timeoutMs, emit as unknown as MqttReport);
  }
  if (cfg.signaling === 'kvs') {
    if (!cfg.kvs || !window.labKvs) throw new Error('signaling: kvs without its settings or without the page\'s KVS code (dist/peers/chromium-kvs-page.js)');
    return window.labKvs.connect(cfg.kvs, { clientId: cfg.peerId, masterLabel: cfg.remote, deadlineMs: Date.now() + cfg.timeoutMs }, emit);
  }
  if (!cfg.whepUrl) throw new Error('signaling: whep without the camera\'s WHEP URL');
  const url = new URL(cfg.whepUrl);
  return new WhepClient(fetchTransport(url.href), cfg.remote, onFailure, emit as unknown as WhepReport, url.pathname);
}
