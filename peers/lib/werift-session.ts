/**
 * One werift RTCPeerConnection wired to the lab: the lab's ICE servers in the scenario's order,
 * H.264 only, max-bundle like browsers, trickle or not, and every state change as an event.
 */
import { readFileSync } from 'node:fs';
import { RTCPeerConnection, useH264, type CandidatePair } from 'werift';
import type { PairView } from '../../lab/contract/events.js';
import { CandidateQueue } from '../../lab/contract/candidate-queue.js';
import { firstRelayProtocol, type IceServer } from '../../lab/contract/ice-config.js';
import { emit, emitCustom, type CommonPeerConfig } from './contract.js';
import type { Signaling } from './signaling-client.js';
import { candidatePairs, selectedPair } from './werift-stats.js';
import { installWeriftRenomination, onPairSwitch } from './werift-renomination.js';
import { installWeriftHelloVerify, onRepeatedHelloVerify } from './werift-hello-verify.js';
import { installNativeX25519 } from './werift-native-x25519.js';
import { installWeriftStunWait, onLateStunAnswer, onStunWaitCut } from './werift-stun-wait.js';
import { installWeriftLateTurn, onLateTurnPaired } from './werift-late-turn.js';

// Both werift peers (viewer, pi-camera) build their connections here, with runtime patches to
// werift 0.25.2 (each throws at start on a werift version it was not checked on):
// - use the best nominated pair (RFC 8445 §8.1.1), not the first (werift-renomination.ts);
// - a repeated HelloVerifyRequest does not fail the DTLS client (werift-hello-verify.ts);
// - DTLS's X25519 by OpenSSL instead of tweetnacl: same bytes, ~65 ms less CPU per handshake
//   (werift-native-x25519.ts);
// - gathering stops waiting for the STUN answer once TURN over TCP/TLS is allocated and UDP to
//   that server went unanswered three times (werift-stun-wait.ts);
// - a TURN allocation that ends after the checks began is paired with the remote candidates
//   already in, and those pairs are checked (werift-late-turn.ts).
// Each has an off switch, to measure werift without it: WEBRTC_LAB_WERIFT_RENOMINATION=off,
// WEBRTC_LAB_WERIFT_HELLO_VERIFY=off, WEBRTC_LAB_NATIVE_X25519=off, WEBRTC_LAB_WERIFT_STUN_WAIT=off,
// WEBRTC_LAB_WERIFT_LATE_TURN=off (docs/werift-0.25.md).
if (process.env.WEBRTC_LAB_WERIFT_RENOMINATION !== 'off') installWeriftRenomination();
if (process.env.WEBRTC_LAB_WERIFT_HELLO_VERIFY !== 'off') installWeriftHelloVerify();
if (process.env.WEBRTC_LAB_NATIVE_X25519 !== 'off') installNativeX25519();
if (process.env.WEBRTC_LAB_WERIFT_STUN_WAIT !== 'off') installWeriftStunWait();
if (process.env.WEBRTC_LAB_WERIFT_LATE_TURN !== 'off') installWeriftLateTurn();

/** "host 192.168.1.2:5000 -> srflx 203.0.113.4:6000", werift's own view (its srflx shows as its host base). */
function candidatePairText(p: CandidatePair): string {
  return `${p.localCandidate.type} ${p.localCandidate.host}:${p.localCandidate.port} -> ${p.remoteCandidate.type} ${p.remoteCandidate.host}:${p.remoteCandidate.port}`;
}

export interface SessionOptions {
  cfg: CommonPeerConfig;
  iceServers: IceServer[];
  /** The far peer's id: where candidates go, and the session label in events. */
  remote: string;
  signaling: Signaling;
  profileLevelId: string;
}

export class WeriftSession {
  readonly pc: RTCPeerConnection;
  /** Candidates that arrive before the remote description wait for it (browsers reject them). */
  private remoteCandidates = new CandidateQueue<Record<string, unknown>>();
  private readonly gathered: Promise<void>;
  readonly connected: Promise<void>;
  readonly relayProtocol: string | null;
  /** Reported its selected pair once: a later switch is reported too (before that, the first report will tell). */
  private reported = false;

  get remote(): string {
    return this.o.remote;
  }

  constructor(private o: SessionOptions) {
    const turnTls = o.cfg.turnCaFile ? { ca: readFileSync(o.cfg.turnCaFile) } : undefined;
    this.pc = new RTCPeerConnection({
      iceServers: o.iceServers,
      iceTransportPolicy: o.cfg.icePolicy,
      bundlePolicy: 'max-bundle',
      turnTlsOptions: turnTls,
      // Seconds to wait for the STUN answer (werift's default is 5). The lab's STUN server is on the
      // same machine; werift resends at 0, 50, 150 and 350 ms within 0.5 s. Only a peer whose UDP is
      // blocked waits this long, and with TURN over TCP/TLS not even that (werift-stun-wait.ts);
      // docs/werift-0.25.md has the measurements under load.
      iceStunGatherTimeout: 0.5,
      codecs: {
        video: [
          useH264({
            parameters: `profile-level-id=${o.profileLevelId};packetization-mode=1;level-asymmetry-allowed=1`,
            rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
          }),
        ],
      },
    });
    this.relayProtocol = firstRelayProtocol(o.iceServers);
    const session = o.remote;

    this.pc.onIceCandidate.subscribe((c) => {
      if (!c) return;
      const init = c.toJSON();
      emit('local-candidate', { session, candidate: init.candidate });
      if (o.cfg.trickle) o.signaling.send({ type: 'candidate', to: o.remote, candidate: init });
    });
    this.gathered = new Promise((resolve) => {
      this.pc.iceGatheringStateChange.subscribe((state) => {
        if (state !== 'complete') return;
        emit('gathering-complete', { session });
        if (o.cfg.trickle) o.signaling.send({ type: 'end-of-candidates', to: o.remote });
        resolve();
      });
    });
    let sawConnected = false;
    this.pc.iceConnectionStateChange.subscribe((state) => {
      // werift fires a spurious "completed" at the end of gathering: ICE counts from "checking".
      if (state === 'completed' && !sawConnected) return;
      if (state === 'connected') sawConnected = true;
      emit('ice-state', { session, state });
    });
    // A later, better nomination moved the selected pair (werift-renomination.ts): say when, from and to what.
    const unwatch = onPairSwitch((connection, from, to) => {
      if (!this.pc.iceTransports.some((t) => t.connection === connection)) return;
      emitCustom('x-pair-switch', { session, from: candidatePairText(from), to: candidatePairText(to) });
      // The lab takes each side's last report (lab/run/session-result.ts): report where it moved.
      if (this.reported) void this.reportSelectedPair().catch((err: Error) => emit('warning', { session, message: `selected pair after a switch: ${err.message}` }));
    });
    // The DTLS client dropped a repeated HelloVerifyRequest (werift-hello-verify.ts): werift 0.25.2 alone would have failed here.
    const unwatchHello = onRepeatedHelloVerify((client) => {
      if (this.pc.dtlsTransports.some((t) => t.dtls === client)) emitCustom('x-dtls-repeat-hello-verify', { session });
    });
    // Gathering stopped waiting for the srflx candidate (werift-stun-wait.ts), and, if the cut was
    // wrong, the STUN answer that came after it: werift alone would have waited up to 0.5 s.
    const ours = (connection: unknown) => this.pc.iceTransports.some((t) => t.connection === connection);
    const unwatchCut = onStunWaitCut((connection, cut) => {
      if (ours(connection)) emitCustom('x-stun-wait-cut', { session, ...cut });
    });
    const unwatchLate = onLateStunAnswer((connection, afterCutMs) => {
      if (ours(connection)) emitCustom('x-stun-wait-late-answer', { session, afterCutMs });
    });
    // The relay allocation ended after the checks began and was paired (werift-late-turn.ts): werift
    // alone would have left it without pairs, and a session that can only relay would not connect.
    const unwatchLateTurn = onLateTurnPaired((connection, pairing) => {
      if (ours(connection)) emitCustom('x-late-turn-paired', { session, ...pairing });
    });
    this.pc.connectionStateChange.subscribe((state) => {
      if (state === 'closed') (unwatch(), unwatchHello(), unwatchCut(), unwatchLate(), unwatchLateTurn());
    });
    this.connected = new Promise((resolve) => {
      this.pc.connectionStateChange.subscribe((state) => {
        emit('connection-state', { session, state });
        if (state === 'connected') {
          emit('dtls-connected', { session });
          resolve();
        }
      });
    });
  }

  /**
   * Applies a local offer or answer and sends it. Trickling, it goes out at once and candidates
   * follow as they are gathered (werift's setLocalDescription waits for gathering, STUN timeouts
   * included); without trickle it goes out after gathering, every candidate inside.
   */
  async sendLocalDescription(type: 'offer' | 'answer', opts: { afterGathering?: boolean } = {}): Promise<void> {
    const description = type === 'offer' ? await this.pc.createOffer() : await this.pc.createAnswer();
    if (this.o.cfg.trickle && !opts.afterGathering) {
      emit('local-description', { session: this.o.remote, type, sdp: description.sdp });
      this.o.signaling.send({ type, to: this.o.remote, sdp: description.sdp });
      emit(type === 'offer' ? 'offer-sent' : 'answer-sent', { session: this.o.remote, trickle: true });
      this.pc.setLocalDescription(description).catch((err: Error) => emit('error', { session: this.o.remote, message: `setLocalDescription: ${err.message}` }));
      return;
    }
    await this.pc.setLocalDescription(description);
    await this.gathered;
    emit('local-description', { session: this.o.remote, type, sdp: this.pc.localDescription!.sdp });
    this.o.signaling.send({ type, to: this.o.remote, sdp: this.pc.localDescription!.sdp });
    emit(type === 'offer' ? 'offer-sent' : 'answer-sent', { session: this.o.remote, trickle: this.o.cfg.trickle });
  }

  async setRemote(type: 'offer' | 'answer', sdp: string): Promise<void> {
    await this.pc.setRemoteDescription({ type, sdp });
    await this.remoteCandidates.open((c) => this.applyCandidate(c));
  }

  async addCandidate(candidate: Record<string, unknown>): Promise<void> {
    await this.remoteCandidates.add(candidate);
  }

  /**
   * Not awaited: werift resolves an mDNS (.local) candidate before it returns, for seconds, and
   * nothing else (the answer above all) should wait for that.
   */
  private applyCandidate(candidate: Record<string, unknown>): void {
    emit('remote-candidate', { session: this.o.remote, candidate: String(candidate.candidate) });
    this.pc.addIceCandidate(candidate as never).catch((err: Error) => emit('warning', { session: this.o.remote, message: `addIceCandidate: ${err.message}` }));
  }

  async reportSelectedPair(): Promise<PairView | null> {
    this.reported = true;
    const pair = await selectedPair(this.pc, this.relayProtocol);
    emit('candidate-pairs', { session: this.o.remote, pairs: await candidatePairs(this.pc, this.relayProtocol) });
    emit('selected-pair', { session: this.o.remote, pair });
    return pair;
  }
}
