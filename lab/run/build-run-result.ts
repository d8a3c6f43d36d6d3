/**
 * What a run collected -> its RunResult. Pure: no clock, no process, no file; the same facts give
 * the same result (build-run-result.test.ts). The prediction every session is judged against is
 * made here, once, and stored: reporters read it from the result and never re-derive it.
 */
import type { ImpairmentView } from '../model/impairment.js';
import { predictOutcome } from '../matrix/predict.js';
import type { PeerReport, RunResult, ServiceLogs, SessionPrediction, SessionResult } from '../model/run-result.js';
import { RUN_RESULT_SCHEMA_VERSION, overallOutcome, percentiles } from '../model/run-result.js';
import type { PeerSpec, Scenario } from '../model/scenario.js';
import { upstreamRouters } from '../model/topology.js';
import { round } from '../util/clock.js';
import type { TeardownRecord } from './lab-session.js';
import { checkExpectations } from './expectations.js';
import type { PeerEvent } from './peer-process.js';
import type { AppFacts } from './app-peer.js';
import { sessionResult } from './session-result.js';
import { callResult } from './call-result.js';
import type { AppliedCallEvent } from '../network/call-schedule.js';
import { inconclusiveReasons, type MachineLoad } from './inconclusive.js';
import { disagreements, type WireView } from '../wire/wire-view.js';

/** What the run knows of one peer process once it ended (a RunningPeer has all of it). */
export interface PeerFacts {
  name: string;
  events: PeerEvent[];
  stderr: string[];
  violations: string[];
  exitCode: number | null;
  peakRssMb: number | null;
  /** Monotonic ms when the lab spawned it (its load time is "started" minus this). */
  spawnedAt?: number;
  /** Kind "app" peers: what the lab recorded of them. */
  app?: AppFacts;
}

/** Monotonic ms (util/clock.ts) of the run's milestones; null: not reached. */
export interface RunMarks {
  start: number;
  labUp: number | null;
  servicesReady: number | null;
  end: number;
}

export interface RunFacts {
  runId: string;
  scenario: Scenario;
  backend: string;
  labId: string | null;
  startedAt: string;
  marks: RunMarks;
  /** Peers that were started, camera first; a run cut short may have none. */
  peers: PeerFacts[];
  /** Viewer name -> why the lab stopped it (no result in time). */
  killed: Record<string, string>;
  /** The camera exited while the viewers still waited. */
  cameraEndedEarly: boolean;
  captures: RunResult['captures'];
  /** What the wire oracle saw (lab/wire/), or why it saw nothing. */
  wire: WireView;
  /** coturn's and the services' log lines, if they ran. */
  serviceLogs: ServiceLogs | null;
  teardown: TeardownRecord;
  /** The scenario's network events as they happened (absent or empty: none). */
  callEvents?: AppliedCallEvent[];
  /** The link impairments the run applied (none: absent). */
  impairments?: ImpairmentView[];
  /** How busy the machine was during the run (peak samples); without it a failure is never inconclusive. */
  load?: MachineLoad | null;
}

export function buildRunResult(f: RunFacts): RunResult {
  const { scenario } = f;
  const peer = (name: string) => f.peers.find((p) => p.name === name);
  const camera = peer(scenario.camera.name);
  const sessions: SessionResult[] = scenario.viewers.map((spec, i) => withWire({
    ...sessionResult({
      viewer: spec,
      camera: scenario.camera,
      viewerEvents: peer(spec.name)?.events ?? [],
      cameraEvents: camera?.events ?? [],
      viewerExit: peer(spec.name)?.exitCode ?? null,
      killedBecause: f.killed[spec.name] ?? null,
      contractProblems: peer(spec.name)?.violations ?? [],
      cameraProblem: cameraProblem(camera, f.cameraEndedEarly),
    }),
    prediction: predictSession(scenario, spec),
    call: scenario.holdMs && !spec.app ? callResult({ holdMs: scenario.holdMs, viewerEvents: peer(spec.name)?.events ?? [], cameraEvents: (camera?.events ?? []).filter((e) => e.session === spec.name), cameraFps: cameraFps(camera), applied: i === 0 ? (f.callEvents ?? []) : [], wire: f.wire.captured ? f.wire.sessions[i] : null, wireStartT: f.marks.start }) : null,
  }, f.wire.captured ? f.wire.sessions[i] : null, blackBoxSides(scenario, spec, peer), f.wire));
  const expectations = [...checkExpectations(scenario.expect, sessions), ...blackBoxChecks(scenario, sessions)];
  const outcome = overallOutcome(sessions.map((s) => s.outcome));
  const failed = outcome === 'failed' || expectations.some((c) => !c.ok);
  const first = sessions[0];
  const passed = expectations.every((c) => c.ok);
  // Black-box (app, browser) peers are judged by their own verdict and the wire: an app that
  // failed said why, and the lab has no pace of theirs to compare, so their runs stay pass/fail.
  const blackBox = [scenario.camera, ...scenario.viewers].some((p) => p.app);
  const inconclusive = !passed && f.load && !blackBox ? inconclusiveReasons({ failedChecks: expectations.filter((c) => !c.ok), sessions, peerStartMs: peerStartTimes(f.peers), load: f.load }) : null;
  const since = (t: number | null) => (t === null ? 0 : round(t - f.marks.start));
  return {
    schemaVersion: RUN_RESULT_SCHEMA_VERSION,
    runId: f.runId,
    scenario: scenario.name,
    description: scenario.description,
    topology: scenario.topology.name,
    signaling: scenario.signaling ?? 'lab',
    backend: f.backend,
    labId: f.labId,
    startedAt: f.startedAt,
    outcome,
    passed,
    verdict: passed ? 'passed' : inconclusive ? 'inconclusive' : 'failed',
    inconclusive,
    machine: f.load ?? null,
    expectations,
    selectedPair: first.selectedPair,
    timeline: first.timeline,
    setupMs: first.setupMs,
    firstFrameMs: first.firstFrameMs,
    sessions,
    summary: {
      viewers: sessions.length,
      connected: sessions.filter((s) => s.outcome !== 'failed').length,
      direct: sessions.filter((s) => s.outcome === 'direct').length,
      relay: sessions.filter((s) => s.outcome === 'relay').length,
      failed: sessions.filter((s) => s.outcome === 'failed').length,
      setupMs: percentiles(sessions.map((s) => s.setupMs)),
      firstFrameMs: percentiles(sessions.map((s) => s.firstFrameMs)),
    },
    peers: [scenario.camera, ...scenario.viewers].map((spec) => peerReport(spec, peer(spec.name), scenario, failed, f.marks.start)),
    overhead: {
      labUpMs: since(f.marks.labUp),
      servicesReadyMs: since(f.marks.servicesReady),
      peersStartedMs: lastStarted(f.peers, f.marks.start),
      teardownMs: f.teardown.ms,
      wallMs: round(f.marks.end - f.marks.start),
    },
    teardown: { ok: f.teardown.ok, failures: f.teardown.failures },
    network: scenario.topology,
    wire: f.wire.captured
      ? { captured: true, packets: f.wire.packets, dropped: f.wire.dropped, addedMs: round(f.wire.waitMs + f.wire.stopMs + f.wire.parseMs), parseMs: round(f.wire.parseMs) }
      : { captured: false, reason: f.wire.reason },
    captures: f.captures,
    events: Object.fromEntries(f.peers.map((p) => [p.name, p.events.map((e) => ({ ...e, t: round(e.t - f.marks.start) }))])),
    logs: failed ? f.serviceLogs : null,
    ...(f.impairments?.length ? { impairments: f.impairments } : {}),
  };
}

/**
 * The session with the wire's view of it, and where that view and the peers' own disagree. With a
 * black-box (kind "app") side the outcome is the wire's: failed if an app failed, a contract side
 * failed, or the wire saw no working path.
 */
function withWire(s: Omit<SessionResult, 'wire'>, wire: SessionResult['wire'], apps: BlackBoxSide[], view: WireView): SessionResult {
  const judged = apps.length ? { ...s, ...blackBoxOutcome(s, wire, apps, view) } : s;
  if (!wire) return { ...judged, wire: null };
  return { ...judged, ...(apps.length ? {} : relayedOnTheWire(judged, wire)), wire: { ...wire, disagreements: apps.length ? [] : disagreements(wire, { outcome: s.outcome, ...s.selectedPair }) } };
}

/**
 * The wire is the truth about where traffic went: a session whose peers both report a direct pair
 * while one direction's packets settled on a path through TURN relays, and is asymmetric when the
 * other direction went direct. A scenario expecting `direct` then fails, as it should. Where each
 * direction settled counts, not where most bytes went: a controlling agent that nominates a relay
 * pair first and a direct one a second later moves a short run's bytes mostly over TURN, yet the
 * session then runs direct both ways. So, too, a session a peer reported as relay whose two
 * directions both settled direct is direct.
 */
export function relayedOnTheWire(s: Pick<SessionResult, 'outcome' | 'asymmetric'>, wire: NonNullable<SessionResult['wire']>): Partial<Pick<SessionResult, 'outcome' | 'asymmetric'>> {
  const kinds = wire.directions.map((d) => (d.settledPath === undefined ? d.path : d.settledPath)?.kind);
  // The other way round: a peer reported a relay pair it left a moment later (libwebrtc's viewer
  // reported the relay pair it held for 500 ms, then moved to the direct one before it left; the
  // camera's report never came), and both directions settled direct: the session ran direct.
  if (s.outcome === 'relay' && kinds.length === 2 && kinds.every((k) => k === 'direct')) return { outcome: 'direct', asymmetric: false };
  if (s.outcome !== 'direct') return {};
  if (!kinds.includes('relay')) return {};
  return { outcome: 'relay', asymmetric: s.asymmetric || kinds.includes('direct') };
}

/**
 * A session with an app or browser side must connect unless the scenario says what it expects: the
 * app's own success and the wire's path are the only verdict such a run has.
 */
function blackBoxChecks(scenario: Scenario, sessions: SessionResult[]): ReturnType<typeof checkExpectations> {
  if (scenario.expect.outcome !== undefined) return [];
  const blackBox = (name: string) => [scenario.camera, ...scenario.viewers].find((p) => p.name === name)?.app;
  return sessions
    .filter((s) => blackBox(s.viewer) || blackBox(s.camera))
    .map((s) => ({ name: 'outcome', session: s.viewer, expected: 'connected (app/browser peers done, a path on the wire)', actual: s.outcome, ok: s.outcome !== 'failed' }));
}

interface BlackBoxSide {
  name: string;
  facts: AppFacts | undefined;
}

function blackBoxSides(scenario: Scenario, viewer: PeerSpec, peer: (name: string) => PeerFacts | undefined): BlackBoxSide[] {
  return [viewer, scenario.camera].filter((p) => p.app).map((p) => ({ name: p.name, facts: peer(p.name)?.app }));
}

function blackBoxOutcome(s: Omit<SessionResult, 'wire'>, wire: SessionResult['wire'], apps: BlackBoxSide[], view: WireView): Pick<SessionResult, 'outcome' | 'failure'> {
  const failed = (failure: string) => ({ outcome: 'failed' as const, failure });
  for (const a of apps) {
    if (!a.facts) return failed(`app ${a.name} never started`);
    if (!a.facts.verdict?.ok) return failed(`app ${a.name}: ${a.facts.verdict && !a.facts.verdict.ok ? a.facts.verdict.failure : 'not done when the run ended'}`);
  }
  // A contract viewer facing an app camera still says whether it got what it wanted.
  if (!apps.some((a) => a.name === s.viewer) && s.outcome === 'failed') return { outcome: 'failed', failure: s.failure };
  if (!wire) return failed(`the app(s) said done, but the run has no wire capture to tell the path (${view.captured ? 'no session view' : view.reason})`);
  if (wire.outcome === null) return failed(`the app(s) said done, but the wire saw no working path between ${s.viewer} and ${s.camera}${wire.notes.length ? ` (${wire.notes.join('; ')})` : ''}`);
  return { outcome: wire.outcome, failure: wire.outcome === 'failed' ? `the wire saw no working path between ${s.viewer} and ${s.camera}` : null };
}

/**
 * RFC 4787's prediction for one viewer and the camera, under their ICE policies: a side that
 * gathers only relay candidates (policy "relay") makes every pair a relay pair, whatever the NATs.
 */
export function predictSession(scenario: Scenario, viewer: PeerSpec): SessionPrediction {
  const policy = viewer.ice.policy === 'relay' || scenario.camera.ice.policy === 'relay' ? 'relay' : 'all';
  return { outcome: predictOutcome(scenario.topology, viewer.host, scenario.camera.host, policy), iceTransportPolicy: policy };
}

function cameraFps(camera: PeerFacts | undefined): number | null {
  const fps = camera?.events.find((e) => e.event === 'started')?.fps;
  return typeof fps === 'number' ? fps : null;
}

/** A camera runs until the lab stops it: ending on its own, or breaking the contract, is a problem. */
function cameraProblem(camera: PeerFacts | undefined, endedEarly: boolean): string | null {
  if (!camera) return null;
  if (camera.violations.length) return `broke the peer contract (peers/README.md): ${camera.violations[0]}`;
  if (endedEarly) return `exited with code ${camera.exitCode} while the viewers waited${camera.events.length ? '' : ', without printing any event'}`;
  return null;
}

/** Spawn -> "started" per contract peer (app peers say nothing of their load). */
function peerStartTimes(peers: PeerFacts[]): { name: string; ms: number | null }[] {
  return peers
    .filter((p) => !p.app && p.spawnedAt !== undefined)
    .map((p) => {
      const started = p.events.find((e) => e.event === 'started');
      return { name: p.name, ms: started ? round(started.t - p.spawnedAt!) : null };
    });
}

function lastStarted(peers: PeerFacts[], t0: number): number | null {
  const times = peers.map((p) => p.events.find((e) => e.event === 'started')?.t);
  return times.length && times.every((t) => t !== undefined) ? round(Math.max(...(times as number[])) - t0) : null;
}

function peerReport(spec: PeerSpec, peer: PeerFacts | undefined, scenario: Scenario, keepLogs: boolean, t0: number): PeerReport {
  const started = peer?.events.find((e) => e.event === 'started');
  return {
    name: spec.name,
    kind: spec.kind,
    stack: String(started?.stack ?? 'unknown'),
    role: spec.role,
    host: spec.host,
    behind: upstreamRouters(scenario.topology, spec.host).map((r) => ({ router: r.name, nat: r.natLabel })),
    ice: spec.ice,
    exitCode: peer?.exitCode ?? null,
    peakRssMb: peer?.peakRssMb ?? null,
    stderr: keepLogs ? (peer?.stderr ?? []).slice(-50) : [],
    errors: [...(peer?.events.filter((e) => e.event === 'error').map((e) => String(e.message)) ?? []), ...(peer?.violations ?? [])],
    ...(spec.app ? { app: appReport(spec.app.command, peer?.app, t0) } : {}),
  };
}

function appReport(command: string[], a: AppFacts | undefined, t0: number): NonNullable<PeerReport['app']> {
  const since = (t: number | null | undefined) => (t === null || t === undefined ? null : round(t - t0));
  const v = a?.verdict ?? null;
  return {
    command,
    startedMs: since(a?.startedAt) ?? 0,
    doneMs: v?.ok ? since(v.at) : null,
    doneBy: v?.ok ? v.via : null,
    exitMs: since(a?.exitedAt),
    failure: a ? (v && !v.ok ? v.failure : v ? null : 'not done when the run ended') : 'never started',
    stdout: a?.stdout.slice(-50) ?? [],
    stderr: a?.stderrTail.slice(-50) ?? [],
  };
}
