/**
 * A WHEP client behind the peers' Signaling interface: the viewer's WebRTC code sends its usual
 * messages and this turns them into WHEP requests (docs/protocols.md):
 * offer -> POST (the answer comes back as an `answer` message, after the first PATCH), candidates
 * and end-of-candidates -> PATCH trickle-ice-sdpfrag with If-Match (queued until the POST's
 * Location is known, sent one at a time in order), bye -> DELETE. Each request is a `signaling-step` event (protocol whep) with its status.
 */
import type { EventFields } from '../../lab/contract/events.js';
import type { HttpTransport } from './http-tunnel.js';
import type { Incoming, Signaling } from './signaling-client.js';
import { SDPFRAG_TYPE, SDP_TYPE, candidateFragment } from './whep-sdpfrag.js';

/** Where the client's steps go: `emit` in Node, `window.labEmit` in the Chromium viewer's page. */
export type WhepReport = (event: 'signaling-step', fields: EventFields<'signaling-step'> & Record<string, unknown>) => void;

export class WhepClient implements Signaling {
  private handlers: ((msg: Incoming) => void)[] = [];
  private resource: { location: string; etag: string } | null = null;
  private ice = { ufrag: '', pwd: '', mid: '0' };
  private pending: string[] = [];
  private ended = false;
  /** Requests after the POST, in order. */
  private chain: Promise<void> = Promise.resolve();
  private posted: Promise<void> | null = null;

  constructor(
    private http: HttpTransport,
    /** The camera's name: `from` of the answer, the session label of events. */
    private camera: string,
    private onFailure: (message: string) => void,
    private emit: WhepReport,
    private path = '/whep',
  ) {}

  send(msg: Record<string, unknown>): void {
    if (msg.type === 'offer') this.posted = this.post(String(msg.sdp)).catch((err: Error) => this.onFailure(`WHEP POST ${this.path}: ${err.message}`));
    else if (msg.type === 'candidate') {
      this.pending.push(String((msg.candidate as { candidate?: unknown })?.candidate ?? ''));
      this.flush();
    } else if (msg.type === 'end-of-candidates') {
      this.ended = true;
      this.flush();
    } else if (msg.type === 'bye') this.after(() => this.remove());
  }

  onMessage(handler: (msg: Incoming) => void): void {
    this.handlers.push(handler);
  }

  async close(): Promise<void> {
    await this.posted;
    await this.chain;
  }

  private async post(sdp: string): Promise<void> {
    this.ice = {
      ufrag: /^a=ice-ufrag:(.+)$/m.exec(sdp)?.[1].trim() ?? '',
      pwd: /^a=ice-pwd:(.+)$/m.exec(sdp)?.[1].trim() ?? '',
      mid: /^a=mid:(.+)$/m.exec(sdp)?.[1].trim() ?? '0',
    };
    const res = await this.http({ method: 'POST', path: this.path, headers: { 'content-type': SDP_TYPE }, body: sdp });
    const location = res.headers.location;
    this.emit('signaling-step', { protocol: 'whep', step: 'POST', session: this.camera, status: res.status, location, detail: `got ${res.status} to its POST ${this.path} (Content-Type ${SDP_TYPE}, the offer${/^a=candidate:/m.test(sdp) ? ' with every candidate inside' : ''})${location ? `: Location ${location}` : ''}${res.headers.etag ? `, ETag ${res.headers.etag}` : ''}; the answer in the body carries every candidate of the camera (it gathers before it answers)` });
    if (res.status !== 201 || !res.headers.location) throw new Error(`expected 201 with a Location, got ${res.status}: ${res.body.slice(0, 200)}`);
    this.resource = { location: new URL(res.headers.location, 'http://camera').pathname, etag: res.headers.etag ?? '*' };
    // The candidates gathered while the POST was out go first, and the answer is applied once the
    // camera has them: both sides then start their checks together, as with the lab's signaling
    // (where they reach the camera before its gather-first answer). Applied at once, the viewer's
    // checks run a PATCH round trip ahead of the camera's, and on a loaded machine a relay pair
    // (the camera's TURN permission comes with the PATCH) could win over a direct one.
    this.flush();
    await this.chain;
    for (const h of this.handlers) h({ type: 'answer', from: this.camera, sdp: res.body });
  }

  /** Sends what waits in one PATCH, once the resource exists. */
  private flush(): void {
    if (!this.resource) return;
    if (!this.pending.length && !this.ended) return;
    this.after(async () => {
      const candidates = this.pending.splice(0);
      const end = this.ended;
      this.ended = false;
      if (!candidates.length && !end) return;
      const body = candidateFragment({ ...this.ice, candidates, end });
      const res = await this.http({ method: 'PATCH', path: this.resource!.location, headers: { 'content-type': SDPFRAG_TYPE, 'if-match': this.resource!.etag }, body });
      const what = [candidates.length ? `${candidates.length} candidate(s)` : '', end ? 'end-of-candidates' : ''].filter(Boolean).join(', ');
      this.emit('signaling-step', { protocol: 'whep', step: 'PATCH', session: this.camera, status: res.status, candidates: candidates.length, end, series: !end, detail: `got ${res.status} to its PATCH ${this.resource!.location} (Content-Type ${SDPFRAG_TYPE}, If-Match ${this.resource!.etag}; ${what})` });
    });
  }

  private async remove(): Promise<void> {
    if (!this.resource) return;
    // pi-webrtc refuses a request without Content-Type (DELETE too) with 422.
    const res = await this.http({ method: 'DELETE', path: this.resource.location, headers: { 'content-type': SDP_TYPE }, body: '' });
    this.emit('signaling-step', { protocol: 'whep', step: 'DELETE', session: this.camera, status: res.status, detail: `got ${res.status} to its DELETE ${this.resource.location} (it hangs up; with a Content-Type, which pi-webrtc requires)` });
  }

  private after(step: () => Promise<void>): void {
    this.chain = this.chain.then(step).catch((err: Error) => this.emit('signaling-step', { protocol: 'whep', step: 'error', session: this.camera, message: err.message, detail: `a WHEP request failed: ${err.message}` }));
  }
}
