/** Peer events -> one viewer session's result. Pure: the same events give the same result. */
import type { PairView, SessionResult, Timeline } from '../model/run-result.js';
import { classifyOutcome, effectiveCandidateTypes, relays } from '../model/run-result.js';
import type { PeerSpec } from '../model/scenario.js';
import type { PeerEvent } from './peer-process.js';

export interface SessionInput {
  viewer: PeerSpec;
  camera: PeerSpec;
  viewerEvents: PeerEvent[];
  /** All camera events; those of this session carry session = viewer name. */
  cameraEvents: PeerEvent[];
  viewerExit: number | null;
  /** Why the orchestrator ended the viewer, if it did (timeout). */
  killedBecause: string | null;
  contractProblems: string[];
  /** What went wrong on the camera's side as a process (it exited early, broke the contract). */
  cameraProblem?: string | null;
}

const round = (x: number) => Math.round(x * 10) / 10;

/**
 * The pair a side settled on in the session's first connection: its last `selected-pair` report
 * before the first restart (a werift peer reports again when it follows a later nomination, as the
 * wire's settledPath counts the last packets). A held call's new connections (the viewer's
 * `ice-restart`, the camera's next offer) are the call's story (call-result.ts), not this pair.
 * Without a report in the first connection, the first report of all.
 */
function settledPair(events: PeerEvent[], isRestart: (e: PeerEvent, i: number, all: PeerEvent[]) => boolean): PairView | null | undefined {
  const cut = events.findIndex(isRestart);
  const first = cut < 0 ? events : events.slice(0, cut);
  const report = [...first].reverse().find((e) => e.event === 'selected-pair') ?? events.find((e) => e.event === 'selected-pair');
  return report?.pair as PairView | null | undefined;
}

/** A session as the peers' events tell it; the run adds its prediction (build-run-result.ts). */
export function sessionResult(input: SessionInput): Omit<SessionResult, 'prediction' | 'wire' | 'call'> {
  const { viewer, camera } = input;
  const v = input.viewerEvents;
  const c = input.cameraEvents.filter((e) => e.session === viewer.name);
  const find = (events: PeerEvent[], name: string, where: (e: PeerEvent) => boolean = () => true) => events.find((e) => e.event === name && where(e));
  const offer = find(v, 'offer-sent');
  const at = (e: PeerEvent | undefined) => (e && offer ? round(e.t - offer.t) : null);
  const timeline: Timeline = {
    signalingConnected: at(find(v, 'signaling-connected')),
    iceConfigFetched: at(find(v, 'ice-config-fetched')),
    offerSent: offer ? 0 : null,
    answerReceived: at(find(v, 'answer-received')),
    gatheringComplete: at(find(v, 'gathering-complete')),
    iceChecking: at(find(v, 'ice-state', (e) => e.state === 'checking')),
    iceConnected: at(find(v, 'ice-state', (e) => e.state === 'connected')),
    dtlsConnected: at(find(v, 'dtls-connected')),
    datachannelOpen: at(find(v, 'datachannel-open')),
    firstFrame: at(find(v, 'first-frame')),
  };
  const viewerPair = withRemoteRelay(settledPair(v, (e) => e.event === 'ice-restart'), camera);
  const cameraPair = withRemoteRelay(settledPair(c, (e, i, all) => e.event === 'offer-received' && all.findIndex((x) => x.event === 'offer-received') < i), viewer);
  const connected = input.viewerExit === 0 && timeline.firstFrame !== null;
  return {
    viewer: viewer.name,
    camera: camera.name,
    outcome: classifyOutcome(connected, [viewerPair, cameraPair]),
    failure: connected ? null : failureReason(input, v, c),
    selectedPair: { viewer: viewerPair, camera: cameraPair },
    candidateTypes: effectiveCandidateTypes(viewerPair, cameraPair),
    asymmetric: viewerPair !== null && cameraPair !== null && relays(viewerPair) !== relays(cameraPair),
    timeline,
    setupMs: timeline.datachannelOpen,
    firstFrameMs: timeline.firstFrame,
    candidates: {
      viewer: v.filter((e) => e.event === 'local-candidate').map((e) => String(e.candidate)),
      camera: c.filter((e) => e.event === 'local-candidate').map((e) => String(e.candidate)),
    },
  };
}

/** A relayed remote candidate uses the far peer's TURN transport, which only the lab knows. */
function withRemoteRelay(pair: PairView | null | undefined, far: PeerSpec): PairView | null {
  if (!pair) return null;
  if (pair.remote.candidateType !== 'relay' || pair.remote.relayProtocol) return pair;
  return { ...pair, remote: { ...pair.remote, relayProtocol: far.ice.turnTransports[0] } };
}

function failureReason(input: SessionInput, v: PeerEvent[], c: PeerEvent[]): string {
  const cameraError = c.find((e) => e.event === 'error');
  const cameraFailed = c.find((e) => e.event === 'connection-state' && e.state === 'failed');
  const cameraPart = input.cameraProblem
    ? `; camera ${input.camera.name}: ${input.cameraProblem}`
    : cameraError
      ? `; camera ${input.camera.name}: ${cameraError.message}`
      : cameraFailed
        ? `; camera ${input.camera.name}: its connection failed (${c.some((e) => e.event === 'ice-state' && e.state === 'connected') ? 'after ICE connected: DTLS' : 'ICE'})`
        : '';
  const who = `viewer ${input.viewer.name}`;
  const error = [...v].reverse().find((e) => e.event === 'error');
  if (error) return `${who}: ${error.message}${error.stage ? ` (while ${error.stage})` : ''}${cameraPart}`;
  if (input.contractProblems.length) return `${who} broke the peer contract (peers/README.md): ${input.contractProblems[0]}${cameraPart}`;
  if (input.killedBecause) return `${who}: ${input.killedBecause}${cameraPart}`;
  if (!v.length) return `${who} printed no events on stdout (the peer contract: one JSON object per line) and exited with code ${input.viewerExit}${cameraPart}`;
  const last = v[v.length - 1];
  return `${who} exited with code ${input.viewerExit} before reporting a first frame (last event: "${last.event}")${cameraPart}`;
}
