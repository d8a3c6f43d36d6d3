/** Scenario files (scenarios/*.yaml): a topology, who runs where, the ICE settings and what must happen. */
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { LabError } from './errors.js';
import { isFilePath, loadTopology, resolveTopologyPath, topologyFromData } from './topology-file.js';
import type { Topology } from './topology.js';
import { Problem, invalidFile, readYaml, validateWith } from './validate.js';
import { projectPath } from '../util/paths.js';
import { checkDnsMap } from '../network/dns-names.js';
import { SERVICES_HOST } from './topology.js';
import { callEventFileSchema, callExpectationShape, resolveCallEvents, type CallEvent } from './call-events.js';
import { impairmentProblems, impairmentSchema, mergeImpairments, type Impairment } from './impairment.js';

/** Signaling protocols a run can use: the lab's own, Kinesis Video Streams, MQTT as pi-webrtc speaks it, WHEP. */
export const SIGNALING_PROTOCOLS = ['lab', 'kvs', 'mqtt', 'whep'] as const;
export type SignalingProtocol = (typeof SIGNALING_PROTOCOLS)[number];

export const OUTCOMES = ['direct', 'relay', 'failed'] as const;
export type Outcome = (typeof OUTCOMES)[number];
export const CANDIDATE_TYPES = ['host', 'srflx', 'prflx', 'relay'] as const;
export type CandidateType = (typeof CANDIDATE_TYPES)[number];
export const TRANSPORTS = ['udp', 'tcp', 'tls'] as const;
export type Transport = (typeof TRANSPORTS)[number];

/**
 * Shipped peers, "command": any program that follows the peer contract (peers/README.md), and
 * "app": a black-box program that knows nothing of the lab, "browser": the user's own web page in
 * Chromium (docs/own-app.md).
 */
export const PEER_KINDS = ['viewer', 'libwebrtc-viewer', 'chromium-viewer', 'firefox-viewer', 'pi-camera', 'command', 'app', 'browser'] as const;
/** Peers the lab judges from outside (their exit or page, and the wire), not by the peer contract. */
export const BLACK_BOX_KINDS: PeerKind[] = ['app', 'browser'];
export type PeerKind = (typeof PEER_KINDS)[number];
export const CAMERA_KINDS: PeerKind[] = ['pi-camera'];
/** The pi-camera's WebRTC stack: werift (TypeScript, H.264 clips) or libwebrtc (@roamhq/wrtc, as pi-webrtc; VP8). */
export const CAMERA_STACKS = ['werift', 'libwebrtc'] as const;
export type CameraStack = (typeof CAMERA_STACKS)[number];
/** The stack a pi-camera runs when a scenario does not say (docs/peers.md "Which camera stack"). */
export const DEFAULT_CAMERA_STACK: CameraStack = 'werift';
/** Browser peers of the lab's own: they need a backend whose hosts have the browser. */
export const BROWSER_VIEWER_KINDS: PeerKind[] = ['chromium-viewer', 'firefox-viewer'];

const iceSchema = z.strictObject({
  policy: z.enum(['all', 'relay']).optional(),
  /** TURN URIs given to the peer, in order; werift uses only the first. */
  turnTransports: z.array(z.enum(TRANSPORTS)).min(1).optional(),
  trickle: z.boolean().optional(),
});

const oneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item).min(1)]);

const budget = z.strictObject({ max: z.number().positive().optional(), p50: z.number().positive().optional(), p95: z.number().positive().optional() });

export const expectationSchema = z.strictObject({
  /** Allowed outcome(s); "connected" means direct or relay. Relay if traffic in either direction goes through TURN. */
  outcome: oneOrMany(z.enum([...OUTCOMES, 'connected'])).optional(),
  /** The outcome as the viewer (the controlling agent, which selects the pair) sees its own pair. */
  viewerOutcome: oneOrMany(z.enum([...OUTCOMES, 'connected'])).optional(),
  /** Type of each end of the selected pair as it crossed the network (see RunResult candidateTypes). */
  viewerCandidate: oneOrMany(z.enum(CANDIDATE_TYPES)).optional(),
  cameraCandidate: oneOrMany(z.enum(CANDIDATE_TYPES)).optional(),
  /** TURN transport of a relayed pair. */
  relayProtocol: oneOrMany(z.enum(TRANSPORTS)).optional(),
  /** Latency budgets in ms: max per session, or percentiles across sessions and repeats. */
  setupMs: budget.optional(),
  firstFrameMs: budget.optional(),
  /** Calls with a hold and events (docs/network-events.md): recovery, outages, frame rate, the path after the events. */
  ...callExpectationShape,
});

const peerSchema = z.strictObject({
  kind: z.enum(PEER_KINDS),
  host: z.string(),
  /** For kind "command": which side it plays; for "app", optional (the first app peer is the camera side). */
  role: z.enum(['viewer', 'camera']).optional(),
  /**
   * For kinds "command" and "app": the program and its arguments. It runs in the scenario file's folder (the
   * lab's own folder for the shipped presets), so it can name files relative to the scenario.
   */
  command: z.array(z.string()).min(1).optional(),
  /** For kind "command" on the docker backend: an image to run it in (default: the lab's image). */
  image: z.string().optional(),
  /** pi-camera only: kvs (1280x720 @25) or pi (640x480 @30). */
  profile: z.enum(['kvs', 'pi']).optional(),
  /** pi-camera only: its WebRTC stack (default werift): libwebrtc is what pi-webrtc runs. */
  stack: z.enum(CAMERA_STACKS).optional(),
  ice: iceSchema.optional(),
  /** For kind "app": environment beside the lab's DNS/CA one. */
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'environment names are letters, digits and _'), z.union([z.string(), z.number(), z.boolean()]).transform(String)).optional(),
  /** For kind "app": done once a stdout/stderr line matches `log` (a regex). */
  done: z.strictObject({ log: z.string().min(1) }).optional(),
  /** For kinds "app" and "browser": done once it has stayed up this long (overrides the scenario's holdMs); a browser: this long after its page connected. */
  holdMs: z.number().int().positive().max(600_000).optional(),
  /** For kind "browser": the page to load (by a lab DNS name; https through the lab CA). */
  url: z.string().url().optional(),
  /** For kind "browser": what to do on the page once it loaded, in order. */
  actions: z.array(z.union([z.strictObject({ click: z.string().min(1) }), z.strictObject({ waitForText: z.string().min(1) })])).optional(),
});

/** Ports the lab itself uses on the services host: a user service there cannot take them. */
export const LAB_RESERVED_PORTS: Record<number, string> = { 53: 'the lab DNS', 3478: 'coturn STUN/TURN', 5349: 'coturn TURN over TLS', 18080: "the lab's signaling and ICE config" };

const serviceSchema = z.strictObject({
  /** The program and its arguments, run from the scenario file's folder. */
  command: z.array(z.string().min(1)).min(1),
  /** Lab host it runs on (default: the services host, with an internet address of its own). */
  host: z.string().optional(),
  /** TCP port it listens on: the lab waits until it accepts connections (unless `ready` says otherwise). */
  port: z.number().int().min(1).max(65535).optional(),
  /** Ready once a stdout/stderr line matches `log` (a regex), or once GET `http` (a path on `port`, or a full URL) answers 2xx/3xx. */
  ready: z.union([z.strictObject({ log: z.string().min(1) }), z.strictObject({ http: z.string().min(1) })]).optional(),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'environment names are letters, digits and _'), z.union([z.string(), z.number(), z.boolean()]).transform(String)).default({}),
  readyTimeoutMs: z.number().int().positive().max(300_000).default(10_000),
});

/** coturn settings a scenario may ask for (docs/services-hardening.md, docs/own-services-dns-ca.md). */
const turnSchema = z.strictObject({
  /** Passed to coturn's --max-allocate-lifetime: the longest lifetime one Allocate or Refresh gets. */
  maxAllocationLifetimeS: z.number().int().min(1).max(86_400).optional(),
  /** Static long-term credentials (RFC 8489 section 9.2), besides the lab's own TURN REST ones. */
  users: z.array(z.strictObject({ username: z.string().regex(/^[^:\s]+$/, 'a username has no colon or space'), password: z.string().regex(/^\S+$/, 'a password has no space') })).default([]),
});

/** The emulated Kinesis Video Streams account of a `signaling: kvs` run (docs/protocols.md). */
const kvsSchema = z.strictObject({
  region: z.string().regex(/^[a-z]{2}(?:-[a-z]+)+-\d$/, 'an AWS region name such as us-west-2').default('us-west-2'),
  /** Signaling channels that exist when the run starts; the lab's camera is master of the first. */
  channels: z.array(z.string().regex(/^[a-zA-Z0-9_.-]{1,256}$/, 'channel names are letters, digits, _ . and - (1-256)')).min(1).default(['lab-channel']),
  /** Any static credentials: the emulator verifies SigV4 signatures made with them. */
  credentials: z.strictObject({ accessKeyId: z.string().regex(/^[A-Z0-9]{4,128}$/, 'an access key id is upper-case letters and digits'), secretAccessKey: z.string().min(1) }).default({ accessKeyId: 'AKIDLABEXAMPLE', secretAccessKey: 'lab-secret-access-key' }),
});

export const scenarioFileSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/).optional(),
  description: z.string().default(''),
  topology: z.union([z.string(), z.record(z.string(), z.unknown())]),
  peers: z.record(z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'peer names are lowercase letters, digits and dashes'), peerSchema),
  ice: iceSchema.default({}),
  timeoutMs: z.number().int().positive().max(600_000).default(15_000),
  /** How the peers find each other: the lab's own WebSocket protocol, or what real cameras speak (docs/protocols.md). */
  signaling: z.enum(SIGNALING_PROTOCOLS).default('lab'),
  /**
   * Keep the call up this long after the first frame: contract viewers hold it (counting frames per
   * second); kind "app" peers are done once they have stayed up this long (without it: exit 0 or `done.log`).
   */
  holdMs: z.number().int().positive().max(600_000).optional(),
  /** What happens to the network during the call, at ms after the first frame (docs/network-events.md). */
  events: z.array(callEventFileSchema).default([]),
  expect: expectationSchema.default({}),
  /** The user's own processes on the lab's internet (docs/own-services-dns-ca.md). */
  services: z.record(z.string().regex(/^[a-z](?:[a-z0-9-]{0,30}[a-z0-9])?$/, 'service names are lowercase letters, digits and inner dashes (a DNS label)'), serviceSchema).default({}),
  /** Names every lab host resolves: name -> a service, a lab name (turn.lab.test...) or an IPv4 address. */
  dns: z.record(z.string(), z.string()).default({}),
  turn: turnSchema.default({ users: [] }),
  /** With `signaling: kvs`: region, channels and credentials of the emulated service (defaults are fine). */
  kvs: kvsSchema.optional(),
  /** Link impairments (docs/impairments.md), over the topology's own: an entry replaces the topology's for its node, interface and direction. */
  impairments: z.array(impairmentSchema).default([]),
});

export type KvsSettings = z.infer<typeof kvsSchema>;
export const DEFAULT_KVS: KvsSettings = kvsSchema.parse({});

export type Expectation = z.infer<typeof expectationSchema>;
export type TurnSettings = z.infer<typeof turnSchema>;

export interface IceSettings {
  policy: 'all' | 'relay';
  turnTransports: Transport[];
  trickle: boolean;
}

export interface PeerSpec {
  name: string;
  kind: PeerKind;
  role: 'viewer' | 'camera';
  host: string;
  profile: 'kvs' | 'pi';
  /** pi-camera only: its WebRTC stack (absent: DEFAULT_CAMERA_STACK). */
  stack?: CameraStack;
  ice: IceSettings;
  /** Kinds "command" and "app" (for "app" moved to its scenario's folder with `env -C`). */
  command?: string[];
  image?: string;
  /** Kind "app" only: what makes it done, as the scenario says. */
  app?: AppPeerSpec;
}

export interface AppPeerSpec {
  /** The command as the scenario wrote it, and the folder it runs in. */
  command: string[];
  cwd: string;
  env: Record<string, string>;
  /** Done once a stdout/stderr line matches it (a regex source). */
  doneLog: string | null;
  /** Done once it stayed up this long. */
  holdMs: number | null;
  /** Kind "browser": the page and what to do on it. */
  browser?: { url: string; actions: ({ click: string } | { waitForText: string })[] };
}

export type ServiceReady = { kind: 'port' } | { kind: 'log'; pattern: string } | { kind: 'http'; url: string };

export interface ServiceSpec {
  name: string;
  command: string[];
  /** The scenario file's folder: the command runs there. */
  cwd: string;
  host: string;
  port: number | null;
  ready: ServiceReady;
  env: Record<string, string>;
  readyTimeoutMs: number;
}

export interface TurnUser {
  username: string;
  password: string;
}

export interface Scenario {
  name: string;
  description: string;
  source: string;
  topology: Topology;
  camera: PeerSpec;
  viewers: PeerSpec[];
  timeoutMs: number;
  /** Signaling protocol of the run (default lab); absent in scenarios made in code: lab. */
  signaling?: SignalingProtocol;
  expect: Expectation;
  /** The user's own services (none when absent: scenarios made in code, e.g. matrix cells). */
  services?: ServiceSpec[];
  /** Mapped names (lower case) -> a service name, a lab name or an IPv4 address. */
  dns?: Record<string, string>;
  /** coturn settings; absent: coturn's defaults, no static users. */
  turn?: TurnSettings;
  /** The emulated KVS account (signaling: kvs); absent: DEFAULT_KVS. */
  kvs?: KvsSettings;
  /** Contract viewers keep the call up this long after the first frame (absent: they end at it). */
  holdMs?: number;
  /** Network events during the call (absent: none). */
  events?: CallEvent[];
  /** Link impairments of the run (the topology's merged with the scenario's); absent: none. */
  impairments?: Impairment[];
}

export function scenariosDir(): string {
  return projectPath('scenarios');
}

export function listScenarios(): string[] {
  return readdirSync(scenariosDir())
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.replace(/\.yaml$/, ''))
    .sort();
}

/** A scenario by preset name (scenarios/<name>.yaml, shipped with the lab) or by path from the current folder. */
export function scenarioPath(nameOrPath: string): string | null {
  if (isFilePath(nameOrPath)) {
    const file = resolve(nameOrPath);
    return existsSync(file) ? file : null;
  }
  const file = join(scenariosDir(), `${nameOrPath}.yaml`);
  return existsSync(file) ? file : null;
}

export function loadScenario(nameOrPath: string): Scenario {
  const file = scenarioPath(nameOrPath);
  if (!file) {
    if (isFilePath(nameOrPath)) throw new LabError('usage', `scenario file ${nameOrPath} does not exist (looked in ${process.cwd()})`);
    throw new LabError('usage', `unknown scenario "${nameOrPath}" (known: ${listScenarios().join(', ')})`, 'or give a path to a scenario .yaml file');
  }
  return scenarioFromData(readYaml(file), file);
}

/** Where a command peer of this scenario runs: the lab's own folder for presets, else the scenario's folder. */
function commandFolder(file: string): string | null {
  if (!existsSync(file)) return null; // inline scenario objects: the current folder
  const dir = dirname(resolve(file));
  return dir === resolve(scenariosDir()) ? null : dir;
}

export function scenarioFromData(data: unknown, file: string): Scenario {
  const spec = validateWith(file, scenarioFileSchema, data);
  const problems: Problem[] = [];
  let topology: Topology;
  try {
    const base = existsSync(file) ? dirname(resolve(file)) : process.cwd();
    topology = typeof spec.topology === 'string' ? loadTopology(resolveTopologyPath(spec.topology, base)) : topologyFromData(spec.topology, file);
  } catch (err) {
    if (err instanceof LabError && err.code === 'not-found') throw new LabError('invalid-file', `${file}: topology: ${err.message}`, err.hint);
    throw err;
  }
  const defaults: IceSettings = { policy: spec.ice.policy ?? 'all', turnTransports: spec.ice.turnTransports ?? ['udp'], trickle: spec.ice.trickle ?? true };
  for (const [name, p] of Object.entries(spec.peers)) {
    if (p.kind === 'command' && (!p.command || !p.role)) problems.push({ path: ['peers', name], message: 'a peer of kind "command" needs `command: [program, args...]` and `role: viewer|camera`' });
    if (p.kind === 'app' && !p.command) problems.push({ path: ['peers', name], message: 'a peer of kind "app" needs `command: [program, args...]`' });
    if (p.kind === 'app' && p.image) problems.push({ path: ['peers', name, 'image'], message: 'a peer of kind "app" runs on the lab host itself: no image' });
    if (p.kind === 'browser' && !p.url) problems.push({ path: ['peers', name], message: 'a peer of kind "browser" needs `url: https://<a name under dns:>/...`' });
    if (p.stack && p.kind !== 'pi-camera') problems.push({ path: ['peers', name, 'stack'], message: `only a pi-camera takes a stack (${CAMERA_STACKS.join(' or ')}); a viewer's stack is its kind (viewer, libwebrtc-viewer, chromium-viewer, firefox-viewer)` });
    if (p.kind !== 'command' && p.kind !== 'app' && (p.command || p.image)) problems.push({ path: ['peers', name, p.command ? 'command' : 'image'], message: 'only peers of kind "command" or "app" take a command (and only "command" an image)' });
    const allowed: Record<string, PeerKind[]> = { env: ['app', 'browser'], done: ['app'], holdMs: ['app', 'browser'], url: ['browser'], actions: ['browser'] };
    for (const [f, kinds] of Object.entries(allowed)) if (p[f as keyof typeof p] !== undefined && !kinds.includes(p.kind)) problems.push({ path: ['peers', name, f], message: `only peers of kind ${kinds.map((k) => `"${k}"`).join(' or ')} take ${f}` });
    if (p.done) {
      try {
        new RegExp(p.done.log);
      } catch (err) {
        problems.push({ path: ['peers', name, 'done', 'log'], message: `not a regular expression: ${(err as Error).message}` });
      }
    }
  }
  const cwd = commandFolder(file);
  const appCwd = existsSync(file) ? dirname(resolve(file)) : process.cwd();
  const roles = peerRoles(spec.peers);
  const peers: PeerSpec[] = Object.entries(spec.peers).map(([name, p]) => ({
    name,
    kind: p.kind,
    role: roles[name],
    // Peers start in the lab's folder; coreutils' `env -C` moves a user's program to its scenario's.
    command: p.kind === 'app' && p.command ? ['env', '-C', appCwd, ...p.command] : p.command && cwd && !p.image ? ['env', '-C', cwd, ...p.command] : p.command,
    image: p.image,
    ...(p.kind === 'app' && p.command ? { app: { command: p.command, cwd: appCwd, env: p.env ?? {}, doneLog: p.done?.log ?? null, holdMs: p.holdMs ?? spec.holdMs ?? null } } : {}),
    ...(p.kind === 'browser' && p.url ? { app: { command: ['chromium', p.url], cwd: appCwd, env: p.env ?? {}, doneLog: null, holdMs: p.holdMs ?? spec.holdMs ?? null, browser: { url: p.url, actions: p.actions ?? [] } } } : {}),
    host: p.host,
    profile: p.profile ?? 'kvs',
    ...(p.kind === 'pi-camera' ? { stack: p.stack ?? DEFAULT_CAMERA_STACK } : {}),
    ice: { policy: p.ice?.policy ?? defaults.policy, turnTransports: p.ice?.turnTransports ?? defaults.turnTransports, trickle: p.ice?.trickle ?? defaults.trickle },
  }));
  const hosts = topology.hosts.filter((h) => h.role === 'peer').map((h) => h.name);
  for (const p of peers) {
    if (!hosts.includes(p.host)) problems.push({ path: ['peers', p.name, 'host'], message: `topology ${topology.name} has no host "${p.host}" (hosts: ${hosts.join(', ')})` });
  }
  const services = serviceSpecs(spec.services, dirname(resolve(file)), topology, problems);
  const events = resolveCallEvents(spec.events, spec.holdMs, topology, problems);
  problems.push(...checkDnsMap(spec.dns, services.map((s) => s.name)));
  // signaling: kvs adds the emulator as service "kvs" (lab/services/kvs/kvs-plan.ts).
  if (spec.signaling === 'kvs' && spec.services.kvs) problems.push({ path: ['services', 'kvs'], message: 'with signaling: kvs the lab runs its KVS emulator as service "kvs": rename yours' });
  if (spec.kvs && spec.signaling !== 'kvs') problems.push({ path: ['kvs'], message: 'kvs: settings need signaling: kvs' });
  problems.push(...impairmentProblems(spec.impairments, topology, ['impairments']));
  const impairments = mergeImpairments(topology.impairments ?? [], spec.impairments);
  const cameras = peers.filter((p) => p.role === 'camera');
  const viewers = peers.filter((p) => p.role === 'viewer');
  if (cameras.length !== 1) problems.push({ path: ['peers'], message: `needs exactly one camera peer (kind ${CAMERA_KINDS.join(' or ')}, a command or app peer with role: camera, or the first app peer), found ${cameras.length}` });
  if (!viewers.length) problems.push({ path: ['peers'], message: 'needs at least one viewer peer' });
  if (problems.length) throw invalidFile(file, problems);
  return {
    name: spec.name ?? basename(file).replace(/\.ya?ml$/, ''),
    description: spec.description,
    source: file,
    topology,
    camera: cameras[0],
    viewers,
    timeoutMs: spec.timeoutMs,
    signaling: spec.signaling,
    expect: spec.expect,
    services,
    dns: spec.dns,
    turn: spec.turn,
    ...(spec.kvs || spec.signaling === 'kvs' ? { kvs: spec.kvs ?? DEFAULT_KVS } : {}),
    ...(spec.holdMs !== undefined ? { holdMs: spec.holdMs } : {}),
    ...(events.length ? { events } : {}),
    ...(impairments.length ? { impairments } : {}),
  };
}

/**
 * Which side each peer plays. An app or browser peer without a role is the camera (callee) side when it is the
 * first app peer and no other peer is a camera; every other one is a viewer side.
 */
function peerRoles(declared: z.infer<typeof scenarioFileSchema>['peers']): Record<string, 'viewer' | 'camera'> {
  const entries = Object.entries(declared);
  const fixed = (p: (typeof entries)[number][1]) => (p.kind === 'command' || BLACK_BOX_KINDS.includes(p.kind) ? p.role : CAMERA_KINDS.includes(p.kind) ? 'camera' : 'viewer');
  let cameraTaken = entries.some(([, p]) => fixed(p) === 'camera');
  const roles: Record<string, 'viewer' | 'camera'> = {};
  for (const [name, p] of entries) {
    let role = fixed(p);
    if (!role && BLACK_BOX_KINDS.includes(p.kind) && !cameraTaken) {
      role = 'camera';
      cameraTaken = true;
    }
    roles[name] = role ?? 'viewer';
  }
  return roles;
}

function serviceSpecs(declared: z.infer<typeof scenarioFileSchema>['services'], cwd: string, topology: Topology, problems: Problem[]): ServiceSpec[] {
  const hosts = topology.hosts.map((h) => h.name);
  return Object.entries(declared).map(([name, s]) => {
    const at = (...path: string[]) => ['services', name, ...path];
    const host = s.host ?? SERVICES_HOST;
    if (!hosts.includes(host)) problems.push({ path: at('host'), message: `topology ${topology.name} has no host "${host}" (hosts: ${hosts.join(', ')})` });
    const reserved = s.port !== undefined && host === SERVICES_HOST ? LAB_RESERVED_PORTS[s.port] : undefined;
    if (reserved) problems.push({ path: at('port'), message: `port ${s.port} is ${reserved}'s on the services host: pick another (the lab keeps ${Object.keys(LAB_RESERVED_PORTS).join(', ')})` });
    let ready: ServiceReady = { kind: 'port' };
    if (s.ready && 'log' in s.ready) {
      ready = { kind: 'log', pattern: s.ready.log };
      try {
        new RegExp(s.ready.log);
      } catch (err) {
        problems.push({ path: at('ready', 'log'), message: `not a regular expression: ${(err as Error).message}` });
      }
    } else if (s.ready && 'http' in s.ready) {
      const full = /^https?:\/\//.test(s.ready.http);
      if (!full && !s.ready.http.startsWith('/')) problems.push({ path: at('ready', 'http'), message: 'give a path (/health, on `port`) or a full http(s):// URL' });
      else if (!full && s.port === undefined) problems.push({ path: at('ready', 'http'), message: 'a path needs the service\'s `port` (or give a full URL)' });
      ready = { kind: 'http', url: s.ready.http };
    } else if (s.port === undefined) {
      problems.push({ path: at(), message: 'say how the lab knows it is ready: `port: <tcp port>`, `ready: { log: "regex" }` or `ready: { http: "/health" }`' });
    }
    return { name, command: s.command, cwd, host, port: s.port ?? null, ready, env: s.env, readyTimeoutMs: s.readyTimeoutMs };
  });
}
