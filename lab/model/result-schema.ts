/**
 * RunResult and MatrixResult as zod schemas: the source of schemas/run-result.schema.json and
 * schemas/matrix-result.schema.json (regenerate: npm run lab -- result-schema run|matrix), and of
 * the check that a result file is one this lab can read. The type assertions at the bottom fail
 * the typecheck when the TypeScript types and these schemas drift apart.
 */
import { z } from 'zod';
import type { MatrixResult } from './matrix-result.js';
import { MATRIX_RESULT_SCHEMA_VERSION } from './matrix-result.js';
import type { RunResult } from './run-result.js';
import { RUN_RESULT_SCHEMA_VERSION } from './run-result.js';
import { FILTERINGS, MAPPINGS, NAT_MODES, PORT_ALLOCATIONS } from './nat-behavior.js';
import { OUTCOMES, SIGNALING_PROTOCOLS, expectationSchema } from './scenario.js';
import { IMPAIR_METHODS } from './impairment.js';

const ms = z.number().nullable();
const outcome = z.enum(OUTCOMES);
const percentiles = z.object({ p50: ms, p95: ms });

const candidate = z.object({ candidateType: z.string(), protocol: z.string(), address: z.string(), port: z.number(), relayProtocol: z.string().nullable() });
const pair = z.object({ local: candidate, remote: candidate, rttMs: ms }).nullable();
const timeline = z.object({
  signalingConnected: ms,
  iceConfigFetched: ms,
  offerSent: ms,
  answerReceived: ms,
  gatheringComplete: ms,
  iceChecking: ms,
  iceConnected: ms,
  dtlsConnected: ms,
  datachannelOpen: ms,
  firstFrame: ms,
});
const selectedPair = z.object({ viewer: pair, camera: pair });
const check = z.object({ name: z.string(), session: z.string().nullable(), expected: z.string(), actual: z.string(), ok: z.boolean() });

const wireCount = z.object({ packets: z.number(), bytes: z.number() });
const wireRelay = z.object({ owner: z.string(), server: z.string().nullable(), transport: z.enum(['udp', 'tcp', 'tls']).nullable(), relayedAddress: z.string() });
const wirePath = z.object({ kind: z.enum(['direct', 'relay']), from: z.string().nullable(), to: z.string().nullable(), relays: z.array(wireRelay) });
const wireDirection = z.object({
  from: z.string(),
  to: z.string(),
  path: wirePath.nullable(),
  otherPaths: z.array(wirePath.extend({ bytes: z.number() })),
  settledPath: wirePath.nullable().optional(),
  pathChanges: z.array(z.object({ tMs: z.number(), path: wirePath })).optional(),
  firstStunCheckMs: ms,
  firstDtlsMs: ms,
  firstMediaMs: ms,
  dtls: wireCount,
  sctp: wireCount,
  rtp: wireCount,
  countedPastTls: z.boolean(),
});
const sessionWire = z.object({ outcome: outcome.nullable(), directions: z.tuple([wireDirection, wireDirection]), disagreements: z.array(z.string()), notes: z.array(z.string()) });
const wireSummary = z.union([
  z.object({ captured: z.literal(true), packets: z.number(), dropped: z.number(), addedMs: z.number(), parseMs: z.number() }),
  z.object({ captured: z.literal(false), reason: z.string() }),
]);

const callResult = z.object({
  holdMs: z.number(),
  fps: z.array(z.object({ tMs: z.number(), fps: z.number() })),
  minFps: z.number().nullable(),
  nominalFps: z.number(),
  events: z.array(
    z.object({
      index: z.number(),
      label: z.string(),
      kind: z.string(),
      atMs: z.number(),
      appliedMs: ms,
      restoredMs: ms,
      restoreStartedMs: ms.optional(),
      restoreExecMs: ms.optional(),
      detail: z.string().nullable(),
      error: z.string().nullable(),
      recoveryMs: ms,
      outage: z.number().nullable(),
      pairAfter: pair,
      wireAfter: z.object({ viewerToCamera: wirePath.nullable(), cameraToViewer: wirePath.nullable() }).nullable().optional(),
    }),
  ),
  outages: z.array(z.object({ startMs: z.number(), endMs: z.number(), durationMs: z.number(), framesLost: z.number(), ongoing: z.boolean(), cause: z.string().nullable() })),
  restarts: z.number(),
  finalPath: z.enum(['direct', 'relay']).nullable(),
  timeline: z.array(z.object({ tMs: z.number(), source: z.enum(['lab', 'viewer', 'camera', 'wire']), what: z.string() })),
});

const session = z.object({
  viewer: z.string(),
  camera: z.string(),
  outcome,
  failure: z.string().nullable(),
  selectedPair,
  timeline,
  setupMs: ms,
  firstFrameMs: ms,
  candidateTypes: z.object({ viewer: z.string().nullable(), camera: z.string().nullable() }),
  asymmetric: z.boolean(),
  candidates: z.object({ viewer: z.array(z.string()), camera: z.array(z.string()) }),
  prediction: z.object({ outcome: z.enum(['direct', 'relay']), iceTransportPolicy: z.enum(['all', 'relay']) }),
  wire: sessionWire.nullable(),
  call: callResult.nullable(),
});

const peer = z.object({
  name: z.string(),
  kind: z.string(),
  stack: z.string(),
  role: z.enum(['viewer', 'camera']),
  host: z.string(),
  behind: z.array(z.object({ router: z.string(), nat: z.string() })),
  ice: z.object({ policy: z.string(), turnTransports: z.array(z.string()), trickle: z.boolean() }),
  exitCode: z.number().nullable(),
  peakRssMb: ms,
  stderr: z.array(z.string()),
  errors: z.array(z.string()),
  app: z
    .object({
      command: z.array(z.string()),
      startedMs: z.number(),
      doneMs: ms,
      doneBy: z.enum(['exit', 'log', 'hold']).nullable(),
      exitMs: ms,
      failure: z.string().nullable(),
      stdout: z.array(z.string()),
      stderr: z.array(z.string()),
    })
    .optional(),
});

const iface = z.object({ name: z.string(), segment: z.string(), addresses: z.array(z.string()), prefix: z.number() });
const nat = z.object({
  mode: z.enum(NAT_MODES),
  mapping: z.enum(MAPPINGS),
  filtering: z.enum(FILTERINGS),
  portAllocation: z.enum(PORT_ALLOCATIONS),
  portRange: z.tuple([z.number(), z.number()]),
  mappingLifetime: ms,
  hairpinning: z.boolean(),
  firewall: z.object({ blockUdp: z.boolean(), allowTcpPorts: z.union([z.array(z.number()), z.literal('any')]), action: z.enum(['drop', 'reject']) }).nullable(),
});
const topology = z.object({
  name: z.string(),
  description: z.string(),
  source: z.string(),
  segments: z.array(z.object({ name: z.string(), kind: z.enum(['internet', 'lan']), subnet: z.string(), prefix: z.number(), gateway: z.string() })),
  routers: z.array(
    z.object({ kind: z.literal('router'), name: z.string(), outside: iface, inside: z.array(iface), defaultGateway: z.string(), nat, natLabel: z.string(), isolateInside: z.boolean(), oneToOneHost: z.string().nullable() }),
  ),
  hosts: z.array(z.object({ kind: z.literal('host'), name: z.string(), iface, defaultGateway: z.string(), role: z.enum(['peer', 'services']) })),
  voidGateway: z.string(),
  services: z.object({ host: z.string(), addresses: z.tuple([z.string(), z.string()]) }),
});

const share = z.number().min(0).max(1);
const impairmentView = z.object({
  node: z.string(),
  iface: z.string(),
  direction: z.enum(['in', 'out']),
  method: z.enum(IMPAIR_METHODS),
  delayMs: z.number(),
  jitterMs: z.number(),
  loss: share,
  burstLoss: z.object({ p: share, r: share, lossInBad: share, lossInGood: share }).optional(),
  duplicate: share,
  reorder: share,
  rateKbps: z.number(),
  queue: z.number(),
  counters: z.object({ seen: z.number(), dropped: z.number(), queueDrops: z.number(), duplicated: z.number(), reordered: z.number() }).optional(),
});

const attempt = z.object({ repeat: z.number(), attempt: z.number(), passed: z.boolean(), outcome, setupMs: ms, firstFrameMs: ms, failure: z.string().nullable() });
const status = z.enum(['passed', 'flaky', 'failed']);

export const runResultSchema = z.object({
  schemaVersion: z.literal(RUN_RESULT_SCHEMA_VERSION),
  runId: z.string(),
  scenario: z.string(),
  description: z.string(),
  topology: z.string(),
  signaling: z.enum(SIGNALING_PROTOCOLS).optional().describe('how the peers signaled; absent in results of older labs: lab'),
  backend: z.string(),
  labId: z.string().nullable(),
  startedAt: z.string(),
  outcome,
  passed: z.boolean(),
  verdict: z.enum(['passed', 'failed', 'inconclusive']),
  inconclusive: z.array(z.string()).nullable(),
  machine: z.object({ cpus: z.number(), loadAvg1: z.number(), cpuPressure: z.number().nullable() }).nullable(),
  expectations: z.array(check),
  selectedPair,
  timeline,
  setupMs: ms,
  firstFrameMs: ms,
  sessions: z.array(session),
  summary: z.object({ viewers: z.number(), connected: z.number(), direct: z.number(), relay: z.number(), failed: z.number(), setupMs: percentiles, firstFrameMs: percentiles }),
  peers: z.array(peer),
  overhead: z.object({ labUpMs: z.number(), servicesReadyMs: z.number(), peersStartedMs: ms, teardownMs: z.number(), wallMs: z.number() }),
  repeat: z
    .object({ runs: z.number(), passRate: z.number(), status, attempts: z.array(attempt), checks: z.array(check), latency: z.object({ setupMs: percentiles, firstFrameMs: percentiles }) })
    .optional(),
  teardown: z.object({ ok: z.boolean(), failures: z.array(z.object({ step: z.string(), message: z.string() })) }),
  network: topology,
  wire: wireSummary,
  impairments: z.array(impairmentView).optional(),
  captures: z.array(z.object({ node: z.string(), iface: z.string(), file: z.string() })),
  events: z.record(z.string(), z.array(z.looseObject({ t: z.number(), event: z.string() }))),
  logs: z.object({ coturn: z.array(z.string()), services: z.array(z.string()), dns: z.array(z.string()).optional(), mqtt: z.array(z.string()).optional(), userServices: z.record(z.string(), z.array(z.string())).optional() }).nullable(),
});

const runSummary = z.object({
  runId: z.string(),
  labId: z.string().nullable(),
  startedAt: z.string(),
  outcome,
  passed: z.boolean(),
  expectations: z.array(check),
  // Cells keep no held call (null), and shards from before schema 4 of the run had no field.
  sessions: z.array(session.extend({ call: callResult.nullable().optional() })),
  peers: z.array(peer.pick({ name: true, kind: true, stack: true, role: true, host: true, exitCode: true, errors: true })),
  wallMs: z.number(),
  overhead: runResultSchema.shape.overhead.optional(),
  teardown: runResultSchema.shape.teardown,
});

export const matrixCellSchema = z.object({
  id: z.string(),
  viewer: z.string(),
  camera: z.string(),
  predicted: z.enum(['direct', 'relay']),
  expect: expectationSchema,
  status,
  outcome,
  setupMs: ms,
  firstFrameMs: ms,
  passRate: z.number(),
  minPassRate: z.number(),
  latency: z.object({ setupMs: percentiles, firstFrameMs: percentiles }),
  cellChecks: z.array(check),
  attempts: z.array(attempt),
  run: runSummary,
});

export const matrixResultSchema = z.object({
  schemaVersion: z.literal(MATRIX_RESULT_SCHEMA_VERSION),
  kind: z.literal('matrix'),
  runId: z.string(),
  startedAt: z.string(),
  backend: z.string(),
  presets: z.array(z.string()),
  presetInfo: z.record(z.string(), z.string()),
  policy: z.enum(['all', 'relay']),
  viewerKind: z.string(),
  signaling: z.enum(SIGNALING_PROTOCOLS).optional().describe("every cell's signaling; absent in results of older labs: lab"),
  cameraStack: z.string().optional(),
  repeat: z.number(),
  retries: z.number(),
  minPassRate: z.number(),
  workers: z.number(),
  reuse: z.boolean().optional().describe('cells on one worker shared a reaper and went without a lab DNS process where unused; absent: false'),
  shards: z.array(z.object({ index: z.number(), count: z.number() })),
  totalCells: z.number(),
  cells: z.array(matrixCellSchema),
  passed: z.boolean(),
  wallMs: z.number(),
  impairProfile: z.object({ name: z.string(), fields: impairmentView.omit({ node: true, iface: true, method: true, counters: true }).extend({ direction: z.enum(['in', 'out', 'both']) }) }).optional(),
});

/** JSON Schema (draft 2020-12) of a result file; unknown fields are allowed (newer labs may add some). */
export function resultJsonSchema(which: 'run' | 'matrix'): Record<string, unknown> {
  const schema = which === 'run' ? runResultSchema : matrixResultSchema;
  return {
    title: which === 'run' ? 'webrtc-nat-lab RunResult' : 'webrtc-nat-lab MatrixResult',
    ...z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' }),
  };
}

// Every result the lab writes must satisfy its schema (compile-time).
type Assignable<T, U> = [T] extends [U] ? true : false;
const runFits: Assignable<RunResult, z.input<typeof runResultSchema>> = true;
const matrixFits: Assignable<MatrixResult, z.input<typeof matrixResultSchema>> = true;
void runFits;
void matrixFits;
