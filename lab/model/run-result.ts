/** RunResult: plain, versioned JSON; the only input of every reporter. */
import type { ImpairmentView } from './impairment.js';
import type { Outcome, SignalingProtocol } from './scenario.js';
import type { Topology } from './topology.js';
import { percentile } from '../util/stats.js';

/**
 * 2: sessions carry their prediction, the result its teardown. 3: sessions carry the wire's view.
 * 4: sessions carry the held call (`call`: frames per second, outages, network events, recovery);
 * the result its link impairments, its verdict (`inconclusive` on a starved machine) and the load.
 */
export const RUN_RESULT_SCHEMA_VERSION = 4;

// A pair as the peers report it (the peer contract's shape).
import type { CandidateView, PairView } from '../contract/events.js';
export type { CandidateView, PairView };

/** Milliseconds from the viewer's offer (negative: before it). Null: never happened. */
export interface Timeline {
  signalingConnected: number | null;
  iceConfigFetched: number | null;
  offerSent: number | null;
  answerReceived: number | null;
  gatheringComplete: number | null;
  iceChecking: number | null;
  iceConnected: number | null;
  dtlsConnected: number | null;
  datachannelOpen: number | null;
  firstFrame: number | null;
}

export const TIMELINE_STEPS: { key: keyof Timeline; label: string }[] = [
  { key: 'signalingConnected', label: 'signaling connected' },
  { key: 'iceConfigFetched', label: 'ICE config fetched' },
  { key: 'offerSent', label: 'offer sent' },
  { key: 'answerReceived', label: 'answer received' },
  { key: 'gatheringComplete', label: 'gathering complete' },
  { key: 'iceChecking', label: 'ICE checking' },
  { key: 'iceConnected', label: 'ICE connected' },
  { key: 'dtlsConnected', label: 'DTLS connected' },
  { key: 'datachannelOpen', label: 'datachannel open' },
  { key: 'firstFrame', label: 'first video frame' },
];

export interface SessionResult {
  viewer: string;
  camera: string;
  outcome: Outcome;
  /** Why it failed, in words. */
  failure: string | null;
  /** The selected pair as each side sees it (werift reports its own srflx as its host base). */
  selectedPair: { viewer: PairView | null; camera: PairView | null };
  timeline: Timeline;
  /** Offer to datachannel open. */
  setupMs: number | null;
  /** Offer to the first whole IDR frame at the viewer. */
  firstFrameMs: number | null;
  /**
   * Each side's end of the selected pair as it crossed the network: "relay" when that side relays,
   * else the type the far side saw (srflx or prflx when it came through a NAT).
   */
  candidateTypes: { viewer: string | null; camera: string | null };
  /**
   * The two sides disagree on whether the pair relays: the viewer (the controlling agent) selected
   * one pair and the camera sends on another (seen with Chromium, which switches its selected
   * pair without renomination while werift keeps the first nominated one).
   */
  asymmetric: boolean;
  /** Candidates each side gathered (SDP candidate lines). */
  candidates: { viewer: string[]; camera: string[] };
  /** What the run was judged against: RFC 4787's prediction for this pair of sides. */
  prediction: SessionPrediction;
  /**
   * The path as the lab's internet carried it (lab/wire/, docs/wire-oracle.md), whatever the peers
   * say; null when the run had no wire capture (the reason is in RunResult.wire).
   */
  wire: SessionWire | null;
  /** The call after its first frame, when the scenario holds it (`holdMs`); null otherwise. */
  call: CallResult | null;
}

/** A held call; every ms counts from the viewer's first frame (the origin of the events' atMs). */
export interface CallResult {
  holdMs: number;
  /** Frames per second the viewer received, one sample a second (tMs: the end of its window). */
  fps: { tMs: number; fps: number }[];
  /** Lowest full one-second window; null: no full window. */
  minFps: number | null;
  /** The camera's frame rate, what frames lost are counted against. */
  nominalFps: number;
  events: CallEventResult[];
  /** Gaps in the frames longer than the viewer's gap threshold (500 ms by default). */
  outages: Outage[];
  /** Restarts the viewer made to recover: new connections (werift) or ICE restarts on its connection (Chromium). */
  restarts: number;
  /** The path the call ended on (either side relaying: relay); null: it ended without frames. */
  finalPath: 'direct' | 'relay' | null;
  /** The lab's events and both peers' state changes, in order. */
  timeline: CallTimelineEntry[];
}

export interface Outage {
  /** The last frame before the gap, and the first after it (or the end of the hold). */
  startMs: number;
  endMs: number;
  durationMs: number;
  framesLost: number;
  /** No frame came back before the hold ended. */
  ongoing: boolean;
  /** The event it followed (its label), or null. */
  cause: string | null;
}

export interface CallEventResult {
  index: number;
  label: string;
  kind: string;
  /** Planned; when it took effect; when it was undone (forMs, or the `start` after a `stop`). */
  atMs: number;
  appliedMs: number | null;
  restoredMs: number | null;
  /**
   * Timed events: when the undo command was issued (recovery counts from here) and how long it ran
   * until `restoredMs`. null otherwise; absent in older results.
   */
  restoreStartedMs?: number | null;
  restoreExecMs?: number | null;
  detail: string | null;
  error: string | null;
  /**
   * From the network being back (the event, or its undoing) to frames flowing again; 0: the call
   * did not stall; null: the frames never came back (or the event never happened).
   */
  recoveryMs: number | null;
  /** Index into outages of the outage it caused, or null. */
  outage: number | null;
  /**
   * The paths the packets took after the recovery (from the frames back, or the event when the
   * call did not stall), read from the wire capture: the network's view beside the viewer's own
   * `pairAfter`. null: no capture (or nothing crossed the internet); absent in older results.
   */
  wireAfter?: { viewerToCamera: WirePath | null; cameraToViewer: WirePath | null } | null;
  /** The viewer's selected pair once recovered. */
  pairAfter: PairView | null;
}

export interface CallTimelineEntry {
  tMs: number;
  /** wire: a path change the capture shows. */
  source: 'lab' | 'viewer' | 'camera' | 'wire';
  what: string;
}

/** Packets and bytes of one kind (bytes: what the UDP payload or TURN DATA carried, no headers). */
export interface WireCount {
  packets: number;
  bytes: number;
}

/** One TURN allocation a path goes through. */
export interface WireRelay {
  /** The peer that allocated it. */
  owner: string;
  /** The TURN server address its client talks to ("ip:port"). */
  server: string | null;
  /** Client-side transport: udp, tcp or tls; null when the wire did not show it. */
  transport: 'udp' | 'tcp' | 'tls' | null;
  /** The relayed transport address ("ip:port") the far side sends to. */
  relayedAddress: string;
}

export interface WirePath {
  kind: 'direct' | 'relay';
  /** The sender's public endpoint on the internet ("ip:port"), or its TURN client endpoint when it relays. */
  from: string | null;
  /** The receiver's public endpoint, or its TURN client endpoint when it relays. */
  to: string | null;
  /** The allocations on the way, the sender's first; empty when direct. */
  relays: WireRelay[];
}

/** One direction of a session as its packets crossed the internet. */
export interface WireDirection {
  from: string;
  to: string;
  /** The path that carried most of this direction's DTLS and media; null: none crossed the internet. */
  path: WirePath | null;
  /** Other paths that carried some of it (e.g. before a pair switch), with their bytes. */
  otherPaths: (WirePath & { bytes: number })[];
  /**
   * The path of this direction's last DTLS or media packet: where it settled. It differs from
   * `path` when a pair switch came late in a short run (most bytes went the first way).
   */
  settledPath?: WirePath | null;
  /**
   * Every change of the path this direction's DTLS and media took, in order (the first entry: the
   * path it began on); tMs from the run's start. Absent in results older than this field.
   */
  pathChanges?: { tMs: number; path: WirePath }[];
  /** ms from the run's start (the lab's monotonic clock). */
  firstStunCheckMs: number | null;
  firstDtlsMs: number | null;
  firstMediaMs: number | null;
  /** Every DTLS record-carrying datagram (SCTP's included). */
  dtls: WireCount;
  /** Of those, DTLS application data: SCTP (data channels) over DTLS. */
  sctp: WireCount;
  /** SRTP and SRTCP. */
  rtp: WireCount;
  /** True when the path's client leg is TURN over TLS and the counts come from the server's other side. */
  countedPastTls: boolean;
}

/**
 * The wire oracle's capture: what it cost the run (addedMs: waiting for tcpdump past coturn's
 * readiness + stopping it + reading and classifying), or why there is none.
 */
export type WireSummary =
  | { captured: true; packets: number; dropped: number; addedMs: number; parseMs: number }
  | { captured: false; reason: string };

export interface SessionWire {
  /** From the packets alone; null when the wire cannot tell the two peers apart (one NAT in front of both). */
  outcome: Outcome | null;
  /** viewer -> camera, then camera -> viewer. */
  directions: [WireDirection, WireDirection];
  /** Where the wire and the peers' own selected-pair reports disagree, in words; empty: they agree. */
  disagreements: string[];
  /** Why some of the view is missing (e.g. a hairpinned path never crosses the internet). */
  notes: string[];
}

/**
 * RFC 4787's prediction from the declared NATs on both sides' paths, under the peers' ICE policy:
 * with iceTransportPolicy "relay" (either side) every pair relays, whatever the NATs allow.
 */
export interface SessionPrediction {
  outcome: 'direct' | 'relay';
  iceTransportPolicy: 'all' | 'relay';
}

/** One failed step of taking the lab down (what it was, what went wrong). */
export interface TeardownFailureView {
  step: string;
  message: string;
}

export interface PeerReport {
  name: string;
  kind: string;
  stack: string;
  role: 'viewer' | 'camera';
  host: string;
  /** Routers between its host and the internet, nearest first, with their NAT. */
  behind: { router: string; nat: string }[];
  ice: { policy: string; turnTransports: string[]; trickle: boolean };
  exitCode: number | null;
  /** Peak resident memory in MB (from /proc), sampled while it ran. */
  peakRssMb: number | null;
  /** stderr and contract problems, kept when the run failed. */
  stderr: string[];
  errors: string[];
  /** Kind "app" only: the lab's own record of the black-box peer (ms since the run started). */
  app?: AppPeerReport;
}

export interface AppPeerReport {
  command: string[];
  startedMs: number;
  /** When it was done (exit 0, its done line, or holdMs up), or null if it never was. */
  doneMs: number | null;
  doneBy: 'exit' | 'log' | 'hold' | null;
  exitMs: number | null;
  failure: string | null;
  /** The last lines of its stdout and stderr (bounded), always kept. */
  stdout: string[];
  stderr: string[];
}

export interface ExpectationCheck {
  /** What was checked, e.g. "outcome" or "setupMs.p95". */
  name: string;
  /** Which session (viewer) it concerns, or null for the run as a whole. */
  session: string | null;
  expected: string;
  actual: string;
  ok: boolean;
}

export interface Percentiles {
  p50: number | null;
  p95: number | null;
}

export type RunVerdict = 'passed' | 'failed' | 'inconclusive';

export interface RunResult {
  schemaVersion: typeof RUN_RESULT_SCHEMA_VERSION;
  runId: string;
  scenario: string;
  description: string;
  topology: string;
  /** How the peers signaled (the scenario's `signaling:`); absent in results of older labs: lab. */
  signaling?: SignalingProtocol;
  backend: string;
  /** The lab that was built for the run (gone once the run ended). */
  labId: string | null;
  startedAt: string;
  outcome: Outcome;
  passed: boolean;
  /**
   * passed; failed; or inconclusive: the expectations did not hold, but the machine was saturated
   * and the lab itself was far slower than its baseline (lab/run/inconclusive.ts): the run cannot
   * tell whether the network or the CPU was at fault. passed is false for both of the latter.
   */
  verdict: RunVerdict;
  /** Why the run is inconclusive (the saturation first, then what was slow); null otherwise. */
  inconclusive: string[] | null;
  /** How busy the machine was during the run (peak load average and CPU pressure), or null if not sampled. */
  machine: { cpus: number; loadAvg1: number; cpuPressure: number | null } | null;
  expectations: ExpectationCheck[];
  /** The first session's figures, for the common one-viewer case. */
  selectedPair: SessionResult['selectedPair'];
  timeline: Timeline;
  setupMs: number | null;
  firstFrameMs: number | null;
  sessions: SessionResult[];
  summary: { viewers: number; connected: number; direct: number; relay: number; failed: number; setupMs: Percentiles; firstFrameMs: Percentiles };
  peers: PeerReport[];
  /** Where the wall time went, in ms. */
  overhead: {
    labUpMs: number;
    servicesReadyMs: number;
    /** When the last peer had loaded its code and said "started". */
    peersStartedMs: number | null;
    teardownMs: number;
    wallMs: number;
  };
  /** With --repeat/--retries: every attempt and the checks over all of them (this is the representative run). */
  repeat?: {
    runs: number;
    passRate: number;
    status: 'passed' | 'flaky' | 'failed';
    attempts: { repeat: number; attempt: number; passed: boolean; outcome: Outcome; setupMs: number | null; firstFrameMs: number | null; failure: string | null }[];
    checks: ExpectationCheck[];
    latency: { setupMs: Percentiles; firstFrameMs: Percentiles };
  };
  /** Taking the lab down: ok, or every step that failed (something may be left: `npm run lab -- clean <labId>`). */
  teardown: { ok: boolean; failures: TeardownFailureView[] };
  /** The network the run was built on: segments, routers with their NAT behaviour, hosts. */
  network: Topology;
  /** The wire oracle's capture (lab/wire/): what it cost, or why there is none. */
  wire: WireSummary;
  /** The link impairments of the run, per interface and direction, with the path that made them (absent: none). */
  impairments?: ImpairmentView[];
  /** Packet captures of this run, relative to its report folder (with --capture). */
  captures: { node: string; iface: string; file: string }[];
  /** Every peer's events, with t in ms from the start of the run. */
  events: Record<string, { t: number; event: string; [field: string]: unknown }[]>;
  /** coturn, services, lab DNS and the scenario's own services' log lines (their last 200 each), kept when it failed. */
  logs: ServiceLogs | null;
}

export interface ServiceLogs {
  coturn: string[];
  services: string[];
  dns?: string[];
  /** The MQTT broker (mosquitto) of `signaling: mqtt`. */
  mqtt?: string[];
  /** Scenario service name -> its last stdout/stderr lines. */
  userServices?: Record<string, string[]>;
}

export function relays(view: PairView | null): boolean {
  return view !== null && (view.local.candidateType === 'relay' || view.remote.candidateType === 'relay');
}

/** Relay if traffic in either direction goes through TURN, by either side's view of its pair. */
export function classifyOutcome(connected: boolean, views: (PairView | null)[]): Outcome {
  if (!connected) return 'failed';
  return views.some(relays) ? 'relay' : 'direct';
}

/** The outcome as the viewer, the controlling agent that selects the pair, sees it. */
export function viewerOutcome(s: Pick<SessionResult, 'outcome' | 'selectedPair'>): Outcome {
  if (s.outcome === 'failed' || !s.selectedPair.viewer) return s.outcome;
  return relays(s.selectedPair.viewer) ? 'relay' : 'direct';
}

export function effectiveCandidateTypes(viewer: PairView | null, camera: PairView | null): SessionResult['candidateTypes'] {
  const end = (own: PairView | null, far: PairView | null) => {
    if (own?.local.candidateType === 'relay') return 'relay';
    return far?.remote.candidateType ?? own?.local.candidateType ?? null;
  };
  return { viewer: end(viewer, camera), camera: end(camera, viewer) };
}

/** TURN transport of the relayed end(s) of the pair, viewer's first. */
export function relayProtocolOf(viewer: PairView | null, camera: PairView | null): string | null {
  return viewer?.local.relayProtocol ?? camera?.local.relayProtocol ?? null;
}

export function overallOutcome(outcomes: Outcome[]): Outcome {
  if (outcomes.includes('failed') || !outcomes.length) return 'failed';
  return outcomes.includes('relay') ? 'relay' : 'direct';
}

export function percentiles(values: (number | null)[]): Percentiles {
  const v = values.filter((x): x is number => x !== null);
  const round = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);
  return { p50: round(percentile(v, 50)), p95: round(percentile(v, 95)) };
}
