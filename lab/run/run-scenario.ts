/**
 * One scenario run: build the topology, start coturn and the services, start every peer inside its
 * host, collect their events, tear it all down, and turn what happened into a RunResult.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { basename } from 'node:path';
import { join } from 'node:path';
import type { Backend, StartedLab } from '../backends/backend.js';
import { stateRoot } from '../backends/state.js';
import { LabError } from '../model/errors.js';
import { upstreamRouters } from '../model/topology.js';
import type { PeerReport, RunResult } from '../model/run-result.js';
import { RUN_RESULT_SCHEMA_VERSION, overallOutcome, percentiles } from '../model/run-result.js';
import type { PeerSpec, Scenario } from '../model/scenario.js';
import { makeCertificate } from '../services/certificate.js';
import { planServices, spawnServices, startLabServices, type ServicesPlan, type ServicesProcess, type StartedServices } from '../services/lab-services.js';
import { monotonicMs, round } from '../util/clock.js';
import { newId } from '../util/ids.js';
import { bundlePath, projectPath } from '../util/paths.js';
import { onShutdown } from '../util/shutdown.js';
import { Teardown } from '../util/teardown.js';
import { checkExpectations } from './expectations.js';
import { startPeer, type RunningPeer } from './peer-process.js';
import { startCaptures, stopCaptures, type Capture } from './capture.js';
import { sessionResult } from './session-result.js';

export interface RunOptions {
  runId?: string;
  onProgress?: (line: string) => void;
  /** Replace a peer's command (peer name -> argv); it still gets the peer contract's environment. */
  peerCommands?: Record<string, string[]>;
  /** More signaling rooms beside the scenario's own (room -> peer ids), e.g. for a stranger. */
  extraRooms?: Record<string, string[]>;
  /** Capture packets on every router interface into this folder (pcap per interface). */
  captureDir?: string;
  /** Aborting tears the lab down and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Runs once the services are up, with what a test needs to act inside the lab. */
  afterServices?: (ctx: { lab: StartedLab; plan: ServicesPlan }) => Promise<void>;
}

/** Time the lab allows beyond the scenario's own timeout before it ends a peer itself. */
const GRACE_MS = 5000;

export function newRunId(): string {
  const d = new Date();
  const stamp = d.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${newId(2)}`;
}

export async function runScenario(scenario: Scenario, backend: Backend, opts: RunOptions = {}): Promise<RunResult> {
  const withImage = [scenario.camera, ...scenario.viewers].find((p) => p.image);
  if (withImage && backend.name !== 'docker') {
    throw new LabError('usage', `${scenario.source}: peers.${withImage.name}.image (${withImage.image}) needs the docker backend`, 'run with --backend docker, or give the peer a command instead');
  }
  const browser = [scenario.camera, ...scenario.viewers].find((p) => p.kind === 'chromium-viewer');
  if (browser && backend.name === 'docker') {
    throw new LabError('usage', `${scenario.source}: peers.${browser.name} is a Chromium viewer, which runs on the netns backend only (the lab's Docker image carries no browser)`, 'run it without --backend docker');
  }
  const t0 = monotonicMs();
  const startedAt = new Date().toISOString();
  const runId = opts.runId ?? newRunId();
  const progress = (line: string) => opts.onProgress?.(`${(monotonicMs() - t0).toFixed(0).padStart(5)} ms  ${line}`);
  const teardown = new Teardown();
  const release = onShutdown(() => teardown.unwind());
  // Under the lab's state folder, which every backend shares with its processes (Docker mounts it).
  mkdirSync(stateRoot(), { recursive: true, mode: 0o700 });
  const scratch = mkdtempSync(join(stateRoot(), 'run-'));
  teardown.push('remove scratch folder', () => rmSync(scratch, { recursive: true, force: true }));

  let lab: StartedLab | null = null;
  let services: StartedServices | null = null;
  const peers: RunningPeer[] = [];
  const killed = new Map<string, string>();
  let labUpMs = 0;
  let servicesReadyMs = 0;
  let teardownMs = 0;
  let stoppingCamera = false;
  let liveCaptures: Capture[] = [];
  let captures: RunResult['captures'] = [];
  let cameraEndedEarly = false;
  const room = scenario.name;
  const plan = planServices(scenario.topology, { ...opts.extraRooms, [room]: [scenario.camera.name, ...scenario.viewers.map((v) => v.name)] });
  const env = (p: PeerSpec) => peerEnv(p, plan, room, scenario, join(scratch, 'turn-cert.pem'));
  const argv = (p: PeerSpec) => opts.peerCommands?.[p.name] ?? peerArgv(p);
  let servicesProcess: ServicesProcess | null = null;
  try {
    progress(`building ${scenario.topology.name}`);
    const certificate = makeCertificate(scratch, scenario.topology.services.addresses);
    certificate.catch(() => {});
    lab = await backend.up(scenario.topology, {
      // Processes start as soon as their hosts exist: loading a WebRTC stack takes longer than
      // finishing the network, and peers retry the signaling connection until it answers.
      onCreated: (created) => {
        progress(`lab ${created.id}: starting signaling and ${1 + scenario.viewers.length} peer(s) while the network is configured`);
        servicesProcess = spawnServices(created, plan);
        for (const p of [scenario.camera, ...scenario.viewers]) peers.push(startPeer(created, p.name, p.host, argv(p), env(p), p.image));
        for (const p of peers) p.on('*', (e) => ['signaling-connected', 'offer-sent', 'answer-sent', 'dtls-connected', 'first-frame', 'error'].includes(e.event) && progress(`${p.name}: ${e.event}${e.message ? ` ${e.message}` : ''}`));
      },
    });
    const started = lab;
    teardown.push('take the lab down', () => started.down());
    teardown.push('stop peers', () => Promise.all(peers.map((p) => p.process.stop(500))));
    labUpMs = monotonicMs() - t0;
    if (opts.captureDir) {
      progress('starting packet captures on every router interface');
      const running = await startCaptures(lab, join(scratch, 'capture'));
      teardown.push('stop captures', () => stopCaptures(running));
      liveCaptures = running;
    }
    progress('network ready; starting coturn');
    services = await startLabServices(lab, plan, await certificate, servicesProcess ?? undefined);
    const svc = services;
    teardown.push('stop services', () => svc.stop());
    servicesReadyMs = monotonicMs() - t0;
    progress('coturn and signaling ready');
    await opts.afterServices?.({ lab, plan });
    const [camera, ...viewers] = peers;
    camera.done.then(() => (cameraEndedEarly = !stoppingCamera));

    progress(`waiting for ${viewers.length === 1 ? 'the viewer' : `${viewers.length} viewers`} (timeout ${scenario.timeoutMs} ms)`);
    await Promise.all(
      viewers.map(async (v) => {
        const timer = setTimeout(() => {
          killed.set(v.name, `no result within ${scenario.timeoutMs + GRACE_MS} ms, stopped by the lab`);
          v.process.stop(200);
        }, scenario.timeoutMs + GRACE_MS);
        const code = await v.done;
        clearTimeout(timer);
        progress(`viewer ${v.name} ${code === 0 ? 'got its first frame' : `ended with code ${code}`}`);
      }),
    );
    stoppingCamera = true;
    await camera.process.stop(1000);
    await camera.done;
    if (liveCaptures.length) {
      await stopCaptures(liveCaptures);
      captures = keepCaptures(liveCaptures, opts.captureDir!);
    }
  } finally {
    release();
    const tDown = monotonicMs();
    await teardown.unwind().catch((err) => progress(`teardown: ${(err as Error).message}`));
    teardownMs = monotonicMs() - tDown;
  }

  const cameraPeer = peers[0];
  const sessions = scenario.viewers.map((spec) => {
    const peer = peers.find((p) => p.name === spec.name)!;
    return sessionResult({
      viewer: spec,
      camera: scenario.camera,
      viewerEvents: peer.events,
      cameraEvents: cameraPeer.events,
      viewerExit: peer.exitCode,
      killedBecause: killed.get(spec.name) ?? null,
      contractProblems: peer.violations,
      cameraProblem: cameraProblem(cameraPeer, cameraEndedEarly),
    });
  });
  const expectations = checkExpectations(scenario.expect, sessions);
  const outcome = overallOutcome(sessions.map((s) => s.outcome));
  const failed = outcome === 'failed' || expectations.some((c) => !c.ok);
  const first = sessions[0];
  const svc = services as StartedServices | null;
  return {
    schemaVersion: RUN_RESULT_SCHEMA_VERSION,
    runId,
    scenario: scenario.name,
    description: scenario.description,
    topology: scenario.topology.name,
    backend: backend.name,
    labId: (lab as StartedLab | null)?.id ?? null,
    startedAt,
    outcome,
    passed: expectations.every((c) => c.ok),
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
    peers: [scenario.camera, ...scenario.viewers].map((spec) => peerReport(spec, peers.find((p) => p.name === spec.name), scenario, failed)),
    overhead: {
      labUpMs: round(labUpMs),
      servicesReadyMs: round(servicesReadyMs),
      peersStartedMs: lastStarted(peers, t0),
      teardownMs: round(teardownMs),
      wallMs: round(monotonicMs() - t0),
    },
    network: scenario.topology,
    captures,
    events: Object.fromEntries(peers.map((p) => [p.name, p.events.map((e) => ({ ...e, t: round(e.t - t0) }))])),
    logs: failed && svc ? { coturn: svc.coturn.log.lines.map((l) => l.line), services: svc.services.log.lines.map((l) => l.line) } : null,
  };
}

/** Moves the pcaps out of the run's scratch folder into the report's. */
function keepCaptures(live: Capture[], dir: string): RunResult['captures'] {
  mkdirSync(dir, { recursive: true });
  return live.map((c) => {
    const name = basename(c.file);
    copyFileSync(c.file, join(dir, name)); // not rename: /run and the reports folder are different file systems
    return { node: c.node, iface: c.iface, file: join(basename(dir), name) };
  });
}

/** A camera runs until the lab stops it: ending on its own, or breaking the contract, is a problem. */
function cameraProblem(camera: RunningPeer | undefined, endedEarly: boolean): string | null {
  if (!camera) return null;
  if (camera.violations.length) return `broke the peer contract (peers/README.md): ${camera.violations[0]}`;
  if (endedEarly) return `exited with code ${camera.exitCode} while the viewers waited${camera.events.length ? '' : ', without printing any event'}`;
  return null;
}

function lastStarted(peers: RunningPeer[], t0: number): number | null {
  const times = peers.map((p) => p.events.find((e) => e.event === 'started')?.t);
  return times.every((t) => t !== undefined) ? round(Math.max(...(times as number[])) - t0) : null;
}

const PEER_BUNDLES: Record<Exclude<PeerSpec['kind'], 'command'>, string> = { viewer: 'peers/viewer', 'chromium-viewer': 'peers/chromium-viewer', 'pi-camera': 'peers/pi-camera' };

function peerArgv(p: PeerSpec): string[] {
  return p.kind === 'command' ? p.command! : [process.execPath, bundlePath(PEER_BUNDLES[p.kind])];
}

function peerEnv(p: PeerSpec, plan: ServicesPlan, room: string, scenario: Scenario, caFile: string): Record<string, string> {
  return {
    LAB_PEER_ID: p.name,
    LAB_ROOM: room,
    LAB_TOKEN: plan.tokenFor(room, p.name),
    LAB_SIGNALING_URL: plan.signalingUrl,
    LAB_ICE_CONFIG_URL: plan.iceConfigUrl,
    LAB_ICE_POLICY: p.ice.policy,
    LAB_TURN_TRANSPORTS: p.ice.turnTransports.join(','),
    LAB_TRICKLE: p.ice.trickle ? '1' : '0',
    LAB_TURN_CA: caFile,
    LAB_TIMEOUT_MS: String(scenario.timeoutMs),
    ...(p.role === 'viewer' ? { LAB_REMOTE_PEER: scenario.camera.name } : { LAB_PROFILE: p.profile, LAB_MEDIA_DIR: projectPath('peers', 'media') }),
  };
}

function peerReport(spec: PeerSpec, peer: RunningPeer | undefined, scenario: Scenario, keepLogs: boolean): PeerReport {
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
  };
}
