/** Scenario files (scenarios/*.yaml): a topology, who runs where, the ICE settings and what must happen. */
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { LabError } from './errors.js';
import { isFilePath, loadTopology, resolveTopologyPath, topologyFromData } from './topology-file.js';
import type { Topology } from './topology.js';
import { Problem, invalidFile, readYaml, validateWith } from './validate.js';
import { projectPath } from '../util/paths.js';

export const OUTCOMES = ['direct', 'relay', 'failed'] as const;
export type Outcome = (typeof OUTCOMES)[number];
export const CANDIDATE_TYPES = ['host', 'srflx', 'prflx', 'relay'] as const;
export type CandidateType = (typeof CANDIDATE_TYPES)[number];
export const TRANSPORTS = ['udp', 'tcp', 'tls'] as const;
export type Transport = (typeof TRANSPORTS)[number];

/** Shipped peers, and "command": any program that follows the peer contract (peers/README.md). */
export const PEER_KINDS = ['viewer', 'chromium-viewer', 'pi-camera', 'command'] as const;
export type PeerKind = (typeof PEER_KINDS)[number];
export const CAMERA_KINDS: PeerKind[] = ['pi-camera'];

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
});

const peerSchema = z.strictObject({
  kind: z.enum(PEER_KINDS),
  host: z.string(),
  /** For kind "command": which side it plays. */
  role: z.enum(['viewer', 'camera']).optional(),
  /**
   * For kind "command": the program and its arguments. It runs in the scenario file's folder (the
   * lab's own folder for the shipped presets), so it can name files relative to the scenario.
   */
  command: z.array(z.string()).min(1).optional(),
  /** For kind "command" on the docker backend: an image to run it in (default: the lab's image). */
  image: z.string().optional(),
  /** pi-camera only: kvs (1280x720 @25) or pi (640x480 @30). */
  profile: z.enum(['kvs', 'pi']).optional(),
  ice: iceSchema.optional(),
});

/** coturn settings a scenario may ask for (docs/services-hardening.md: TURN credentials and refresh). */
const turnSchema = z.strictObject({
  /** Passed to coturn's --max-allocate-lifetime: the longest lifetime one Allocate or Refresh gets. */
  maxAllocationLifetimeS: z.number().int().min(1).max(86_400).optional(),
});

export const scenarioFileSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/).optional(),
  description: z.string().default(''),
  topology: z.union([z.string(), z.record(z.string(), z.unknown())]),
  peers: z.record(z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'peer names are lowercase letters, digits and dashes'), peerSchema),
  ice: iceSchema.default({}),
  turn: turnSchema.default({}),
  timeoutMs: z.number().int().positive().max(600_000).default(15_000),
  expect: expectationSchema.default({}),
});

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
  ice: IceSettings;
  /** Kind "command" only. */
  command?: string[];
  image?: string;
}

export interface Scenario {
  name: string;
  description: string;
  source: string;
  topology: Topology;
  camera: PeerSpec;
  viewers: PeerSpec[];
  timeoutMs: number;
  expect: Expectation;
  /** coturn settings; absent: coturn's defaults. */
  turn?: TurnSettings;
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
    if (p.kind !== 'command' && (p.command || p.image)) problems.push({ path: ['peers', name, p.command ? 'command' : 'image'], message: 'only peers of kind "command" take a command or an image' });
  }
  const cwd = commandFolder(file);
  const peers: PeerSpec[] = Object.entries(spec.peers).map(([name, p]) => ({
    name,
    kind: p.kind,
    role: p.kind === 'command' ? (p.role ?? 'viewer') : CAMERA_KINDS.includes(p.kind) ? 'camera' : 'viewer',
    // Peers start in the lab's folder; coreutils' `env -C` moves a user's program to its scenario's.
    command: p.command && cwd && !p.image ? ['env', '-C', cwd, ...p.command] : p.command,
    image: p.image,
    host: p.host,
    profile: p.profile ?? 'kvs',
    ice: { policy: p.ice?.policy ?? defaults.policy, turnTransports: p.ice?.turnTransports ?? defaults.turnTransports, trickle: p.ice?.trickle ?? defaults.trickle },
  }));
  const hosts = topology.hosts.filter((h) => h.role === 'peer').map((h) => h.name);
  for (const p of peers) {
    if (!hosts.includes(p.host)) problems.push({ path: ['peers', p.name, 'host'], message: `topology ${topology.name} has no host "${p.host}" (hosts: ${hosts.join(', ')})` });
  }
  const cameras = peers.filter((p) => p.role === 'camera');
  const viewers = peers.filter((p) => p.role === 'viewer');
  if (cameras.length !== 1) problems.push({ path: ['peers'], message: `needs exactly one camera peer (kind ${CAMERA_KINDS.join(' or ')}), found ${cameras.length}` });
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
    expect: spec.expect,
    turn: spec.turn,
  };
}
