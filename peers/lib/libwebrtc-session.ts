/**
 * One libwebrtc RTCPeerConnection (@roamhq/wrtc, the native stack of Chrome and pi-webrtc) wired to
 * the lab: the lab's ICE servers, max-bundle, trickle or not, every state change as an event, the
 * selected pair from its full W3C stats (relayProtocol included).
 */
import { createRequire } from 'node:module';
import type { PairView } from '../../lab/contract/events.js';
import { CandidateQueue } from '../../lab/contract/candidate-queue.js';
import type { IceServer } from '../../lab/contract/ice-config.js';
import { candidatePairsFromStats, selectedPairFromStats, type StatsRecord } from '../../lab/contract/stats.js';
import { emit, type CommonPeerConfig } from './contract.js';
import type { Signaling } from './signaling-client.js';

export { libwebrtcIceServers } from './libwebrtc-ice.js';

/** The native module, loaded once (esbuild leaves it external: its wrtc.node ships in the npm package). */
export type Wrtc = typeof import('@roamhq/wrtc');
export const wrtc: Wrtc = createRequire(import.meta.url)('@roamhq/wrtc');

/** What this build of libwebrtc can and cannot do (peers/README.md "Stack limits"). */
export const LIBWEBRTC_LIMITS = {
  video: 'VP8 (also VP9, AV1); no H.264 in this build',
  tls: 'TURN over TLS fails (error 701) against a certificate outside its built-in root store, such as the lab\'s: use TURN over tcp (the lab also listens for it on port 443)',
};

export interface LibwebrtcSessionOptions {
  cfg: CommonPeerConfig;
  iceServers: IceServer[];
  /** The far peer's id: where candidates go, and the session label in events. */
  remote: string;
  signaling: Signaling;
}

export class LibwebrtcSession {
  readonly pc: RTCPeerConnection;
  private remoteCandidates = new CandidateQueue<RTCIceCandidateInit>();
  private readonly gathered: Promise<void>;
  /** Resolves once DTLS is up; rejects when the connection fails, saying why as far as it knows. */
  readonly connected: Promise<void>;
  /** TURN URLs libwebrtc could not use, with its error (701 on TLS: an untrusted certificate). */
  readonly turnErrors: { url: string; code: number; text: string }[] = [];

  get remote(): string {
    return this.o.remote;
  }

  constructor(private o: LibwebrtcSessionOptions) {
    this.pc = new wrtc.RTCPeerConnection({ iceServers: o.iceServers, iceTransportPolicy: o.cfg.icePolicy, bundlePolicy: 'max-bundle' }) as unknown as RTCPeerConnection;
    const session = o.remote;
    this.pc.onicecandidate = (e) => {
      if (!e.candidate) return;
      emit('local-candidate', { session, candidate: e.candidate.candidate });
      if (o.cfg.trickle) o.signaling.send({ type: 'candidate', to: o.remote, candidate: e.candidate.toJSON() });
    };
    this.pc.onicecandidateerror = (e) => {
      const err = e as RTCPeerConnectionIceErrorEvent;
      if (!err.url || !/^turns?:/.test(err.url) || this.turnErrors.some((x) => x.url === err.url)) return;
      this.turnErrors.push({ url: err.url, code: err.errorCode, text: err.errorText });
      emit('warning', { session, message: turnErrorMessage(err.url, err.errorCode, err.errorText) });
    };
    this.gathered = new Promise((resolve) => {
      this.pc.onicegatheringstatechange = () => {
        if (this.pc.iceGatheringState !== 'complete') return;
        emit('gathering-complete', { session });
        if (o.cfg.trickle) o.signaling.send({ type: 'end-of-candidates', to: o.remote });
        resolve();
      };
    });
    this.pc.oniceconnectionstatechange = () => emit('ice-state', { session, state: this.pc.iceConnectionState });
    this.connected = new Promise((resolve, reject) => {
      this.pc.onconnectionstatechange = () => {
        const state = this.pc.connectionState;
        emit('connection-state', { session, state });
        if (state === 'connected') {
          emit('dtls-connected', { session });
          resolve();
        }
        if (state === 'failed') reject(new Error(this.failureHint()));
      };
    });
    this.connected.catch(() => {}); // callers that do not wait for it still see the event
  }

  /** Why the connection failed, in the words that help: a TLS-only peer whose TURN was refused says so. */
  failureHint(): string {
    const tls = this.turnErrors.find((e) => e.url.startsWith('turns:'));
    const usable = this.o.iceServers.some((s) => /^turn:/.test(s.urls));
    if (tls && !usable) return turnErrorMessage(tls.url, tls.code, tls.text);
    return 'the connection failed (ICE or DTLS)';
  }

  /** Applies a local offer or answer and sends it: trickling at once, else with every candidate once gathered. */
  async sendLocalDescription(type: 'offer' | 'answer'): Promise<void> {
    const description = type === 'offer' ? await this.pc.createOffer() : await this.pc.createAnswer();
    await this.pc.setLocalDescription(description);
    if (!this.o.cfg.trickle) await this.gathered;
    const sdp = this.o.cfg.trickle ? description.sdp! : this.pc.localDescription!.sdp;
    emit('local-description', { session: this.o.remote, type, sdp });
    this.o.signaling.send({ type, to: this.o.remote, sdp });
    emit(type === 'offer' ? 'offer-sent' : 'answer-sent', { session: this.o.remote, trickle: this.o.cfg.trickle });
  }

  async setRemote(type: 'offer' | 'answer', sdp: string): Promise<void> {
    await this.pc.setRemoteDescription({ type, sdp });
    await this.remoteCandidates.open((c) => this.applyCandidate(c));
  }

  async addCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    await this.remoteCandidates.add(candidate);
  }

  private async applyCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    emit('remote-candidate', { session: this.o.remote, candidate: String(candidate.candidate) });
    await this.pc.addIceCandidate(candidate).catch((err: Error) => emit('warning', { session: this.o.remote, message: `addIceCandidate: ${err.message}` }));
  }

  private async stats(): Promise<StatsRecord[]> {
    return [...(await this.pc.getStats()).values()] as StatsRecord[];
  }

  /**
   * libwebrtc switches its selected pair when a better one starts working a moment after the first
   * (as the controlled side it follows the controlling agent's later nomination): it reports the
   * pair it settles on (the same for 500 ms, 2 s at most), as the Chromium viewer does.
   */
  reportSelectedPair(): Promise<PairView | null> {
    this.report ??= this.settleAndReport();
    return this.report;
  }

  /** Stop waiting for the pair to settle and report it now (the lab is stopping this peer). */
  async reportNow(): Promise<void> {
    this.hurry = true;
    await this.report;
  }

  private report: Promise<PairView | null> | null = null;
  private hurry = false;

  private async settleAndReport(): Promise<PairView | null> {
    const selectedId = async () => (await this.stats()).find((s) => s.type === 'transport' && s.selectedCandidatePairId)?.selectedCandidatePairId;
    const deadline = Date.now() + 2000;
    let id = await selectedId();
    let since = Date.now();
    while (Date.now() - since < 500 && Date.now() < deadline && !this.hurry) {
      await new Promise((r) => setTimeout(r, 100));
      const now = await selectedId();
      if (now !== id) [id, since] = [now, Date.now()];
    }
    const stats = await this.stats();
    const pair = selectedPairFromStats(stats);
    emit('candidate-pairs', { session: this.o.remote, pairs: candidatePairsFromStats(stats) });
    emit('selected-pair', { session: this.o.remote, pair });
    return pair;
  }
}

export function turnErrorMessage(url: string, code: number, text: string): string {
  if (url.startsWith('turns:') && code === 701) return `TURN over TLS to ${url} failed (libwebrtc error 701: ${text || 'no answer'}): libwebrtc trusts only its built-in root store, not the lab's certificate; give this peer TURN over tcp (the lab's TURN server takes it on port 443 too)`;
  return `TURN server ${url}: error ${code} ${text}`.trim();
}
