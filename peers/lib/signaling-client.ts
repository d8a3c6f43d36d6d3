/** A signaling connection that waits for the server to come up, then relays JSON messages. */
import WebSocket from 'ws';
import type { IceServerConfigResponse } from '../../lab/contract/ice-config.js';
import { emit } from './contract.js';
import { MessageInbox } from './message-inbox.js';

export type Incoming = { type: string; from?: string; [k: string]: unknown };

/**
 * What a peer's WebRTC code needs of its signaling, whatever the protocol: send lab-shaped messages
 * ({type: offer|answer|candidate|end-of-candidates|bye, to, ...}) and receive them. The lab protocol
 * is SignalingClient; MQTT and KVS translate (mqtt-signaling.ts, kvs-signaling.ts); WHEP adapts the same messages to HTTP (whep-client.ts, and pi-camera.ts).
 */
export interface Signaling {
  send(msg: Record<string, unknown>): void;
  onMessage(handler: (msg: Incoming) => void): void;
  /** Ends the signaling; resolves once what was still being sent (a WHEP DELETE) is done. */
  close(): void | Promise<void>;
  /**
   * The protocol's own source of ICE servers (KVS: GetIceServerConfig); absent: the lab's ICE-config
   * endpoint. `session`: the camera's viewer it is for (a label in the events).
   */
  iceConfig?: (session?: string) => Promise<IceServerConfigResponse>;
}

/** The same interface under the name the MQTT side uses. */
export type PeerSignaling = Signaling;

export class SignalingClient implements Signaling {
  private ws: WebSocket | null = null;
  /** Holds messages that came before anyone listened (queued offers can arrive with the handshake). */
  private readonly inbox = new MessageInbox<Incoming>();
  private closing = false;

  static async connect(url: string, deadlineMs: number): Promise<SignalingClient> {
    const client = new SignalingClient();
    let attempt = 0;
    for (;;) {
      try {
        client.ws = await open(url, (data) => client.receive(data));
        // The server closes a client that does not read (1008), one replaced by a newer connection
        // of the same peer (4001) or one that stopped answering pings: say so, it explains a stall.
        client.ws.on('close', (code, reason) => client.closing || emit('signaling-closed', { code, reason: reason.toString() }));
        break;
      } catch (err) {
        attempt++;
        const msg = (err as Error).message;
        // 4xx answers are final (401: bad token, unknown room or peer); refused connections mean "not up yet".
        if (/Unexpected server response: 4\d\d/.test(msg) || Date.now() > deadlineMs) throw new Error(`signaling ${url.replace(/token=[^&]+/, 'token=…')}: ${msg} (after ${attempt} attempt(s))`);
        // A refused connect costs a SYN and a RST inside the lab: try again soon (12, 14, ... 50 ms),
        // since the peer's load and the services' race on two cores and each ms waited is setup time.
        await new Promise((r) => setTimeout(r, Math.min(10 + 2 * attempt, 50)));
      }
    }
    return client;
  }

  private receive(data: WebSocket.RawData): void {
    let msg: Incoming;
    try {
      msg = JSON.parse(data.toString());
    } catch {
      return;
    }
    if (msg.type === 'error') emit('signaling-error', { code: msg.code, message: msg.message });
    this.inbox.deliver(msg);
  }

  onMessage(handler: (msg: Incoming) => void): void {
    this.inbox.onMessage(handler);
  }

  send(msg: Record<string, unknown>): void {
    this.ws?.send(JSON.stringify(msg));
  }

  close(): void {
    this.closing = true;
    this.ws?.close();
  }
}

/** Opens the socket with its message listener already attached, so no early message is lost. */
function open(url: string, onMessage: (data: WebSocket.RawData) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('message', onMessage);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`Unexpected server response: ${res.statusCode} ${res.statusMessage}`)));
  });
}
