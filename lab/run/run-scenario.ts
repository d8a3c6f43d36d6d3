/**
 * One scenario run, in the order it happens:
 *   1. open a LabSession (lab id, reaper, scratch folder, teardown stack, abort signal)
 *   2. bring the lab up; services and peers start as soon as the hosts exist (onCreated)
 *   3. captures (--capture), then coturn, signaling, the lab DNS and the scenario's own services ready
 *   4. wait for every viewer's result (or the lab's own timeout), then stop the camera
 *   5. close the session: everything is taken down, failures are recorded
 *   6. buildRunResult (pure) turns what was collected into the RunResult
 * Aborting opts.signal at any point jumps to 5 and rejects with an AbortError (a LabError).
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Backend, StartedLab } from '../backends/backend.js';
import { LabError } from '../model/errors.js';
import type { RunResult } from '../model/run-result.js';
import { DEFAULT_KVS, type PeerSpec, type Scenario } from '../model/scenario.js';
import { caEnv, serviceTlsEnv, startLabCa, type StartedLabCa } from '../network/ca.js';
import { labWithDns, writeLabEtc } from '../network/dns-hosts.js';
import { dnsRecords } from '../network/dns-names.js';
import { labDnsIn, labDnsSpec, type LabDnsProcess } from '../network/dns-process.js';
import { addServiceAddresses, checkAppPeerCommands, checkServiceCommands, serviceAddresses, spawnUserServices, waitUserServicesReady, type StartedUserService } from '../services/user-services.js';
import { kvsPeerEnv, withKvsEmulator } from '../services/kvs/kvs-plan.js';
import { planServices, spawnServices, startLabServices, type ServicesPlan, type ServicesProcess, type StartedServices } from '../services/lab-services.js';
import { monotonicMs } from '../util/clock.js';
import { newId } from '../util/ids.js';
import { bundlePath, nodeBundleArgv, projectPath } from '../util/paths.js';
import { checkBackendFits } from './backend-fit.js';
import { scenarioFolders } from './scenario-folders.js';
import { checkSignalingSupported } from './signaling-support.js';
import { checkStacksFit } from './stack-fit.js';
import { buildRunResult, type RunMarks } from './build-run-result.js';
import { startCaptures, stopCaptures, type Capture } from './capture.js';
import { LabSession } from './lab-session.js';
import type { SharedReaper } from './reaper.js';
import { watchLoad } from './machine-load.js';
import { startPeer, type RunningPeer } from './peer-process.js';
import { startAppPeer, type RunningApp } from './app-peer.js';
import { noCaptureReason, readWireCapture, startWireCapture, type WireCapture } from '../wire/capture.js';
import { classifyWire } from '../wire/classify.js';
import { applyImpairments } from '../network/impair/apply.js';
import type { ImpairmentView } from '../model/impairment.js';
import { wireContext, type WireView } from '../wire/wire-view.js';
import { CallSchedule, type AppliedCallEvent } from '../network/call-schedule.js';

export interface RunOptions {
  runId?: string;
  onProgress?: (line: string) => void;
  /** Aborting it tears the lab down and makes runScenario reject with an AbortError (LabError code "aborted"). */
  signal?: AbortSignal;
  /** Replace a peer's command (peer name -> argv); it still gets the peer contract's environment. */
  peerCommands?: Record<string, string[]>;
  /** More signaling rooms beside the scenario's own (room -> peer ids), e.g. for a stranger. */
  extraRooms?: Record<string, string[]>;
  /** Capture packets on every router interface into this folder (pcap per interface). */
  captureDir?: string;
  /** The wire oracle (lab/wire/, on by default): false runs without its capture. */
  wire?: boolean;
  /** Keep the wire oracle's pcap files here (tests record fixtures with it). */
  wireDir?: string;
  /** Runs once the services are up, with what a test needs to act inside the lab. */
  /**
   * Runs once the services are up, with what a test needs to act inside the lab: the lab (its
   * processes see the lab DNS), the services plan, and the CA environment peers get.
   */
  afterServices?: (ctx: { lab: StartedLab; plan: ServicesPlan; env: Record<string, string> }) => Promise<void>;
  /** A reaper shared by consecutive runs (a matrix worker's); without it the run starts its own. */
  reaper?: SharedReaper;
  /**
   * false: no lab DNS server process; the hosts still resolve every lab name from their hosts file.
   * For runs whose peers reach everything by address (matrix cells with lab signaling).
   */
  labDns?: boolean;
  /**
   * Called once every viewer is done (its result is in; what is left is stopping the camera, the
   * wire capture's reading and the teardown): a matrix worker starts its next cell's lab then.
   */
  onViewersDone?: () => void;
}

/** Time the lab allows beyond the scenario's own timeout before it ends a peer itself. */
const GRACE_MS = 5000;
/** What a browser peer may take to launch Chromium before its own timeout starts (peers/browser-app.ts). */
const BROWSER_LAUNCH_MS = 30_000;

export function newRunId(): string {
  const d = new Date();
  const stamp = d.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${newId(2)}`;
}

/** What a run collects while it goes; buildRunResult reads it once the lab is down. */
interface Collected {
  marks: RunMarks;
  peers: RunningPeer[];
  killed: Record<string, string>;
  cameraEndedEarly: boolean;
  captures: RunResult['captures'];
  services: StartedServices | null;
  wire: WireView;
  dns: LabDnsProcess | null;
  userServices: StartedUserService[];
  /** The scenario's network events as they happened (none without `events:`). */
  callEvents: AppliedCallEvent[];
  impairments: ImpairmentView[];
}

export async function runScenario(scenario: Scenario, backend: Backend, opts: RunOptions = {}): Promise<RunResult> {
  checkBackendFits(scenario, backend);
  checkServiceCommands(scenario);
  checkSignalingSupported(scenario);
  checkStacksFit(scenario);
  checkAppPeerCommands(scenario);
  const startedAt = new Date().toISOString();
  const c: Collected = { marks: { start: monotonicMs(), labUp: null, servicesReady: null, end: 0 }, peers: [], killed: {}, cameraEndedEarly: false, captures: [], services: null, dns: null, userServices: [], callEvents: [], impairments: [], wire: { captured: false, reason: 'the run ended before its network was up' } };
  const progress = (line: string) => opts.onProgress?.(`${(monotonicMs() - c.marks.start).toFixed(0).padStart(5)} ms  ${line}`);
  const session = LabSession.open(backend, { signal: opts.signal, reaper: opts.reaper });
  const load = watchLoad();
  let failure: unknown = null;
  try {
    await runInLab(session, scenario, opts, c, progress);
  } catch (err) {
    failure = err;
  }
  const machine = load.stop();
  const teardown = await session.close();
  for (const f of teardown.failures) progress(`teardown: ${f.step}: ${f.message}`);
  if (failure) throw failure;
  c.marks.end = monotonicMs();
  return buildRunResult({
    runId: opts.runId ?? newRunId(),
    scenario,
    backend: backend.name,
    labId: session.started?.id ?? null,
    startedAt,
    marks: c.marks,
    peers: c.peers,
    killed: c.killed,
    cameraEndedEarly: c.cameraEndedEarly,
    captures: c.captures,
    wire: c.wire,
    serviceLogs: c.services && {
      coturn: c.services.coturnLines(),
      services: c.services.services.log.lines.map((l) => l.line),
      ...(c.dns ? { dns: c.dns.log.lines.slice(-200).map((l) => l.line) } : {}),
      ...(c.services.mqtt ? { mqtt: c.services.mqtt.log.lines.slice(-200).map((l) => l.line) } : {}),
      ...(c.userServices.length ? { userServices: Object.fromEntries(c.userServices.map((s) => [s.spec.name, [...s.log.lines]])) } : {}),
    },
    teardown,
    callEvents: c.callEvents,
    impairments: c.impairments,
    load: machine,
  });
}

/** Steps 2-4; every resource goes on the session's teardown stack as it is made. */
async function runInLab(session: LabSession, asWritten: Scenario, opts: RunOptions, c: Collected, progress: (line: string) => void): Promise<void> {
  const room = asWritten.name;
  const topology = asWritten.topology;
  const plan = planServices(topology, { ...opts.extraRooms, [room]: [asWritten.camera.name, ...asWritten.viewers.map((v) => v.name)] }, asWritten.turn?.users, { mqtt: asWritten.signaling === 'mqtt' });
  // signaling: kvs adds the emulator as a service of the scenario, and its AWS names to the lab DNS.
  const scenario = withKvsEmulator(asWritten, plan, topology.services.addresses[0]);
  progress(`building ${topology.name}`);
  // Lab DNS and CA: every lab host resolves the lab's names and the scenario's, and trusts the CA.
  const userServices = scenario.services ?? [];
  const addresses = serviceAddresses(topology, userServices);
  const records = dnsRecords({ services: topology.services.addresses, serviceAddresses: addresses, dns: scenario.dns ?? {} });
  // Assigned right after the bring-up has been started (below), before its onCreated can run.
  let ca!: StartedLabCa;
  let caMade = false;
  const etc = writeLabEtc(join(session.scratch, 'etc'), topology.services.addresses[0], records);
  let servicesProcess: ServicesProcess | null = null;
  const hostFiles = session.backend.capabilities.hostFiles;
  // Peers read the CA file when they start (NODE_EXTRA_CA_CERTS): they start once it and their
  // hosts exist. openssl makes it while the namespaces are built: the bring-up script starts
  // first (its namespaces are what the peers wait for), the CA ~10 ms later is still ready sooner.
  let upFailed = false;
  let peersStarted = Promise.resolve();
  const building = session.up(topology, {
    hostFiles: { resolvConf: etc.resolvConf, hosts: etc.hosts },
    folders: scenarioFolders(scenario),
    // Processes start as soon as their hosts exist: loading a WebRTC stack takes longer than
    // finishing the network, and peers retry the signaling connection until it answers.
    onCreated: (created) => {
      const early = contractPeers(scenario).length;
      progress(`lab ${created.id}: starting signaling${opts.labDns === false ? '' : ', DNS'}${early ? ` and ${early} peer(s)` : ''} while the network is configured`);
      // The peers first: their load is the run's longest stretch (a spawn blocks this thread for
      // 2-10 ms), and the services are up long before the peers call them.
      const startProcesses = () => {
        if (upFailed) return;
        c.peers.push(...startPeers(labWithDns(created, etc, hostFiles), scenario, plan, ca, opts, progress));
        // The lab DNS is served by the services process (one Node process less).
        servicesProcess = spawnServices(created, plan, opts.labDns === false ? undefined : labDnsSpec(records));
        c.dns = opts.labDns === false ? null : labDnsIn(servicesProcess);
      };
      peersStarted = caMade ? new Promise<void>((resolve) => resolve(startProcesses())) : ca.caReady.then(startProcesses);
      peersStarted.catch(() => {}); // awaited below; a CA that failed fails the run there
    },
  });
  building.catch(() => {}); // awaited below, also when startLabCa throws first (the session then takes the lab down)
  ca = startLabCa(session.scratch, { names: Object.keys(records), addresses: [...topology.services.addresses, ...new Set(Object.values(addresses))], labId: session.labId });
  ca.caReady.then(() => (caMade = true), () => {});
  const lab = await building.catch((err: unknown) => {
    upFailed = true;
    throw err;
  });
  // Peers get SIGTERM before their lab goes (a failed bring-up's lab.down() stops them too).
  session.defer('stop peers', () => Promise.all(c.peers.map((p) => p.process.stop(500))));
  session.defer('stop the lab DNS', () => c.dns?.stop());
  c.marks.labUp = monotonicMs();
  await session.step(peersStarted);
  if (scenario.impairments?.length) {
    // Before coturn answers its first STUN request: every ICE check crosses the impaired links.
    const applied = await session.step(applyImpairments(lab, scenario.impairments));
    c.impairments = applied.legs;
    session.defer('stop the link impairments', async () => (c.impairments = await applied.stop()));
    progress(`link impairments on ${applied.legs.length} interface direction(s), by ${applied.method}`);
  }

  const captures = opts.captureDir ? await startRunCaptures(session, lab, progress) : [];
  progress(userServices.length ? `network ready; starting coturn and ${userServices.length} service(s) of the scenario` : 'network ready; starting coturn');
  const wire = startWire(session, lab, opts, c);
  const labDns = labWithDns(lab, etc, hostFiles);
  const [services] = await session.step(
    Promise.all([
      ca.ready.then(() => startLabServices(lab, plan, ca, servicesProcess ?? undefined, scenario.turn)),
      c.dns?.whenReady(),
      startUserServices(session, labDns, scenario, addresses, ca, c),
    ]),
  );
  c.services = services;
  session.defer('stop services', () => services.stop());
  c.marks.servicesReady = monotonicMs();
  // The capture started with coturn: only a wait past coturn's readiness is the oracle's cost.
  const wireCapture = await session.step(wire);
  const wireWaitMs = monotonicMs() - c.marks.servicesReady;
  // "coturn and signaling ready" is what tests and tools wait for: keep it first.
  progress(`coturn and signaling ready${c.dns ? ', the lab DNS' : ''}${userServices.length ? `${c.dns ? ' and' : ','} ${userServices.length} service(s) of the scenario` : ''}${c.dns || userServices.length ? ' too' : ''}`);
  await session.step(opts.afterServices?.({ lab: labDns, plan, env: caEnv(ca) }) ?? Promise.resolve());

  // Black-box peers know nothing of the lab's readiness: they start once everything they may call is up.
  const apps = startAppPeers(labDns, scenario, ca, progress);
  c.peers.push(...apps);
  const byName = (name: string) => c.peers.find((p) => p.name === name)!;
  const camera = byName(scenario.camera.name);
  const viewers = scenario.viewers.filter((v) => !v.app).map((v) => byName(v.name));
  let stoppingCamera = false;
  if (!scenario.camera.app) camera.done.then(() => (c.cameraEndedEarly = !stoppingCamera));
  const waitingFor = [viewers.length ? (viewers.length === 1 ? 'the viewer' : `${viewers.length} viewers`) : null, apps.length ? `${apps.length} app peer(s)` : null].filter(Boolean).join(' and ');
  const schedule = scenario.events ? scheduleEvents(session, lab, scenario, services, viewers, c, progress) : null;
  const holdMs = viewers.length ? (scenario.holdMs ?? 0) : 0;
  progress(`waiting for ${waitingFor} (timeout ${scenario.timeoutMs} ms${holdMs ? `, then a hold of ${holdMs} ms` : ''})`);
  const viewersExited = Promise.all(viewers.map((v) => awaitViewer(v, scenario.timeoutMs + holdMs + GRACE_MS, c.killed, progress)));
  await session.step(Promise.all([...viewers.map(resultIn), ...apps.map((a) => awaitApp(a, progress))]));
  opts.onViewersDone?.();
  await schedule?.stop();
  stoppingCamera = true;
  // The capture stops while the camera (and every app peer still up) does: only the part past that is the oracle's.
  // The viewers close their connections and exit meanwhile.
  const stopping = [camera, ...apps.filter((a) => a !== camera)];
  const [cameraStoppedAt, wireStopped] = await session.step(
    Promise.all([Promise.all(stopping.map((p) => p.process.stop(1000).then(() => p.done))).then(() => monotonicMs()), wireCapture?.stop().then((r) => ({ ...r, at: monotonicMs() }))]),
  );
  if (wireCapture && wireStopped) c.wire = readWire(wireCapture, { waitMs: wireWaitMs, stopMs: Math.max(0, wireStopped.at - cameraStoppedAt), dropped: wireStopped.dropped }, scenario, services, c, opts);
  await session.step(viewersExited);
  // No peer is left to talk to coturn or the signaling: they stop now, while tcpdump closes its
  // sockets, instead of one after the other in the teardown (which finds them stopped).
  await session.step(Promise.all([services.stop(), wireCapture?.close()]));
  if (captures.length) {
    await stopCaptures(captures);
    c.captures = keepCaptures(captures, opts.captureDir!);
  }
}

/**
 * The scenario's network events, timed from the first viewer's first frame; what happened is kept
 * in c.callEvents (the same records the schedule fills in).
 */
function scheduleEvents(session: LabSession, lab: StartedLab, scenario: Scenario, services: StartedServices, viewers: RunningPeer[], c: Collected, progress: (line: string) => void): CallSchedule {
  const schedule = new CallSchedule(lab, scenario.events!, { turn: services.turn }, progress);
  c.callEvents = schedule.applied;
  session.defer('stop the event schedule', () => schedule.stop());
  const first = viewers[0];
  const begin = (t: number) => {
    progress(`first frame: ${scenario.events!.length} network event(s) from now`);
    schedule.start(t);
  };
  const seen = first?.events.find((e) => e.event === 'first-frame');
  if (seen) begin(seen.t);
  else first?.on('first-frame', (e) => begin(e.t));
  return schedule;
}

/** The scenario's own services: addresses first, then every one started at once, then all ready. */
async function startUserServices(session: LabSession, lab: StartedLab, scenario: Scenario, addresses: Record<string, string>, ca: StartedLabCa, c: Collected): Promise<void> {
  const specs = scenario.services ?? [];
  if (!specs.length) return;
  await Promise.all([addServiceAddresses(lab, addresses, specs), ca.ready]);
  c.userServices = spawnUserServices(lab, { scenario, addresses, env: serviceTlsEnv(ca) });
  session.defer('stop the scenario\'s services', () => Promise.all(c.userServices.map((s) => s.stop())));
  await waitUserServicesReady(lab, c.userServices, scenario.source);
}

const SHOWN_EVENTS = ['ice-restart', 'signaling-connected', 'offer-sent', 'answer-sent', 'signaling-step', 'dtls-connected', 'first-frame', 'error'];

/** A progress line for a peer's event; a series of like signaling steps (trickled candidates) is not shown one by one. */
function progressLine(peer: string, e: { event: string; [field: string]: unknown }): string | null {
  if (!SHOWN_EVENTS.includes(e.event) || e.series === true) return null;
  if (e.event === 'signaling-step') return `${peer}: ${e.protocol} ${e.detail}`;
  return `${peer}: ${e.event}${e.status ? ` ${e.status}` : ''}${e.message ? ` ${e.message}` : ''}`;
}

function contractPeers(scenario: Scenario): PeerSpec[] {
  return [scenario.camera, ...scenario.viewers].filter((p) => !p.app);
}

/** The camera and every viewer that follows the contract, each in its host with the peer contract's environment. */
function startPeers(lab: StartedLab, scenario: Scenario, plan: ServicesPlan, ca: StartedLabCa, opts: RunOptions, progress: (line: string) => void): RunningPeer[] {
  return contractPeers(scenario).map((spec) => {
    const peer = startPeer(lab, spec.name, spec.host, opts.peerCommands?.[spec.name] ?? peerArgv(spec), { ...caEnv(ca), ...peerEnv(spec, plan, scenario.name, scenario, ca.caFile) }, spec.image);
    peer.on('*', (e) => {
      const line = progressLine(peer.name, e);
      if (line) progress(line);
    });
    return peer;
  });
}

/** Every kind "app" peer, in its host with the lab's DNS and CA environment and its own (no contract). */
function startAppPeers(lab: StartedLab, scenario: Scenario, ca: StartedLabCa, progress: (line: string) => void): RunningApp[] {
  const apps = [scenario.camera, ...scenario.viewers].filter((p) => p.app);
  if (apps.length) progress(`starting ${apps.length} app peer(s): ${apps.map((a) => a.name).join(', ')}`);
  return apps.map((spec) => startAppPeer(lab, spec.name, spec.host, peerArgv(spec), spec.app!, { ...caEnv(ca), ...browserEnv(spec, scenario), ...spec.app!.env }, scenario.timeoutMs + (spec.kind === 'browser' ? BROWSER_LAUNCH_MS + GRACE_MS : 0)));
}

/** The browser runner's settings (peers/browser-app.ts): it keeps the scenario's timeout itself, the lab adds its grace. */
function browserEnv(spec: PeerSpec, scenario: Scenario): Record<string, string> {
  const b = spec.app?.browser;
  if (!b) return {};
  return {
    LAB_URL: b.url,
    LAB_ACTIONS: JSON.stringify(b.actions),
    LAB_FIELD: `${basename(scenario.source)}: peers.${spec.name}`,
    LAB_TIMEOUT_MS: String(scenario.timeoutMs),
    ...(spec.app!.holdMs !== null ? { LAB_HOLD_MS: String(spec.app!.holdMs) } : {}),
    ...(process.env.LAB_CHROMIUM ? { LAB_CHROMIUM: process.env.LAB_CHROMIUM } : {}),
  };
}

/** Resolves once the app peer is done or failed; says which. */
async function awaitApp(a: RunningApp, progress: (line: string) => void): Promise<void> {
  const v = await a.verdict;
  progress(`${a.app.browser ? 'browser' : 'app'} ${a.name} ${v.ok ? `done (${v.via === 'exit' ? 'exit 0' : v.via === 'log' ? 'its done line' : 'stayed up holdMs'})` : `failed: ${v.failure}`}`);
}

/** Starts the wire oracle's capture beside coturn; a capture that cannot start leaves the run without it, saying why. */
function startWire(session: LabSession, lab: StartedLab, opts: RunOptions, c: Collected): Promise<WireCapture | null> {
  const reason = opts.wire === false ? 'the run was asked to go without it' : noCaptureReason(lab);
  if (reason) {
    c.wire = { captured: false, reason };
    return Promise.resolve(null);
  }
  const dir = opts.wireDir ?? join(session.scratch, 'wire');
  mkdirSync(dir, { recursive: true });
  return startWireCapture(lab, dir).then(
    (capture) => {
      session.defer('stop the wire capture', () => capture.close());
      return capture;
    },
    (err: Error) => {
      c.wire = { captured: false, reason: err.message };
      return null;
    },
  );
}

/** Classifies the stopped capture; what the oracle cost goes in the result. */
function readWire(capture: WireCapture, cost: { waitMs: number; stopMs: number; dropped: number }, scenario: Scenario, services: StartedServices, c: Collected, opts: RunOptions): WireView {
  const t = monotonicMs();
  // pcap times are wall-clock: the run's start on that clock.
  const t0 = Date.now() - (t - c.marks.start);
  try {
    const packets = readWireCapture(capture.files);
    const context = wireContext(scenario, services.coturnLines(), t0);
    const sessions = classifyWire(packets, context);
    // With wireDir the classifier's whole input is kept: pcaps and this context (how fixtures are made).
    if (opts.wireDir) writeFileSync(join(opts.wireDir, 'context.json'), JSON.stringify(context, null, 1) + '\n');
    return { captured: true, sessions, packets: packets.length, files: opts.wireDir ? capture.files : [], ...cost, parseMs: monotonicMs() - t };
  } catch (err) {
    return { captured: false, reason: `the wire capture could not be read: ${(err as Error).message}` };
  }
}

async function startRunCaptures(session: LabSession, lab: StartedLab, progress: (line: string) => void): Promise<Capture[]> {
  progress('starting packet captures on every router interface');
  const running = await session.step(startCaptures(lab, join(session.scratch, 'capture')));
  session.defer('stop captures', () => stopCaptures(running));
  return running;
}

/**
 * A viewer's result is in once it says "done" (or ends): closing its connection and exiting take it
 * another ~25 ms, which the camera's and the capture's stop need not wait for.
 */
function resultIn(v: RunningPeer): Promise<unknown> {
  if (v.events.some((e) => e.event === 'done')) return Promise.resolve();
  return Promise.race([v.done, new Promise<void>((resolve) => v.on('done', () => resolve()))]);
}

/** Resolves once the viewer ended; past the deadline the lab stops it and says why. */
async function awaitViewer(v: RunningPeer, deadlineMs: number, killed: Record<string, string>, progress: (line: string) => void): Promise<void> {
  const timer = setTimeout(() => {
    killed[v.name] = `no result within ${deadlineMs} ms, stopped by the lab`;
    void v.process.stop(200);
  }, deadlineMs);
  const code = await v.done;
  clearTimeout(timer);
  progress(`viewer ${v.name} ${code === 0 ? 'got its first frame' : `ended with code ${code}`}`);
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

const PEER_BUNDLES: Record<Exclude<PeerSpec['kind'], 'command' | 'app' | 'browser'>, string> = {
  viewer: 'peers/viewer',
  'libwebrtc-viewer': 'peers/libwebrtc-viewer',
  'chromium-viewer': 'peers/chromium-viewer',
  'firefox-viewer': 'peers/firefox-viewer',
  'pi-camera': 'peers/pi-camera',
};

function peerArgv(p: PeerSpec): string[] {
  if (p.kind === 'command' || p.kind === 'app') return p.command!;
  if (p.kind === 'browser') return [process.execPath, bundlePath('peers/browser-app')];
  if (p.kind === 'pi-camera' && p.stack === 'libwebrtc') return [process.execPath, bundlePath('peers/libwebrtc-camera')];
  return nodeBundleArgv(PEER_BUNDLES[p.kind]);
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
    LAB_SIGNALING: scenario.signaling ?? 'lab',
    ...(scenario.signaling === 'kvs' ? kvsPeerEnv(scenario.kvs ?? DEFAULT_KVS) : {}),
    ...(plan.mqtt ? { LAB_MQTT_URL: plan.mqtt.tcp, LAB_MQTT_WS_URL: plan.mqtt.ws } : {}),
    ...(p.role === 'viewer' && scenario.holdMs ? { LAB_HOLD_MS: String(scenario.holdMs) } : {}),
    ...(p.role === 'viewer' ? { LAB_REMOTE_PEER: scenario.camera.name } : { LAB_PROFILE: p.profile, LAB_MEDIA_DIR: projectPath('peers', 'media') }),
  };
}
