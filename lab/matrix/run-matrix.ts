/**
 * The NAT matrix: for every pair of presets, a viewer behind one and the pi-camera behind the
 * other, each cell in its own lab, run `repeat` times (failed runs retried, never hidden), cells
 * spread over `workers` at once.
 */
import { z } from 'zod';
import type { Backend } from '../backends/backend.js';
import { LabError, abortError } from '../model/errors.js';
import type { CellAttempt, MatrixCell, MatrixResult } from '../model/matrix-result.js';
import type { RunResult } from '../model/run-result.js';
import { MATRIX_RESULT_SCHEMA_VERSION, matrixCells, shardCells, summarizeRun } from '../model/matrix-result.js';
import { DEFAULT_CAMERA_STACK, expectationSchema, type CameraStack, type Expectation, type IceSettings, type PeerSpec, type Scenario, type SignalingProtocol, type Transport } from '../model/scenario.js';
import { upstreamRouters } from '../model/topology.js';
import { readYaml, validateWith } from '../model/validate.js';
import { runRepeated } from '../run/repeat.js';
import { checkSignalingSupported } from '../run/signaling-support.js';
import { newRunId, type RunOptions } from '../run/run-scenario.js';
import { startSharedReaper, type SharedReaper } from '../run/reaper.js';
import { monotonicMs, round } from '../util/clock.js';
import { composeCell } from './compose.js';
import { natSummary } from '../report/topology-summary.js';
import { predictOutcome } from './predict.js';
import { mergeImpairments } from '../model/impairment.js';
import { profileImpairments, type ImpairProfile } from '../network/impair/profiles.js';

export const VIEWER_STACKS = ['werift', 'libwebrtc', 'chromium', 'firefox'] as const;
export type ViewerStack = (typeof VIEWER_STACKS)[number];

/** The viewer peer kind of each stack. */
export const VIEWER_KIND_OF: Record<ViewerStack, PeerSpec['kind']> = { werift: 'viewer', libwebrtc: 'libwebrtc-viewer', chromium: 'chromium-viewer', firefox: 'firefox-viewer' };

/**
 * Viewer x camera stacks that share a codec (lab/run/stack-fit.ts): the werift camera sends H.264,
 * which libwebrtc (this build) and offline Firefox cannot decode; the libwebrtc camera sends VP8,
 * which the werift viewer cannot reassemble.
 */
export const STACK_PAIRS: { viewer: ViewerStack; camera: CameraStack }[] = [
  { viewer: 'werift', camera: 'werift' },
  { viewer: 'chromium', camera: 'werift' },
  { viewer: 'libwebrtc', camera: 'libwebrtc' },
  { viewer: 'chromium', camera: 'libwebrtc' },
  { viewer: 'firefox', camera: 'libwebrtc' },
];

/**
 * The NAT presets of the stack axis: one per RFC 4787 behaviour that decides a path (EIM with
 * endpoint-independent, address-dependent and address-and-port-dependent filtering; APDM), and a
 * network that blocks UDP. 15 cells.
 */
export const STACK_PRESETS = ['full-cone', 'restricted-cone', 'port-restricted-cone', 'symmetric', 'firewalled'];

export function stacksFit(viewer: ViewerStack, camera: CameraStack): boolean {
  return STACK_PAIRS.some((p) => p.viewer === viewer && p.camera === camera);
}

/** TURN transports for a peer of this stack whose network lets only TCP 443 out. */
export function tcpOnlyTransports(stack: ViewerStack | CameraStack): Transport[] {
  // libwebrtc refuses the lab's TURN certificate (701): plain TURN over TCP, which the lab also takes on 443.
  return stack === 'libwebrtc' ? ['tcp'] : ['tls'];
}

export interface MatrixOptions {
  presets: string[];
  policy: 'all' | 'relay';
  /** The viewer's WebRTC stack. */
  viewerKind: ViewerStack;
  /** How every cell's peers signal (a scenario's `signaling:`). */
  signaling: SignalingProtocol;
  /** The pi-camera's WebRTC stack (default DEFAULT_CAMERA_STACK). */
  cameraStack?: CameraStack;
  repeat: number;
  retries: number;
  minPassRate: number;
  workers: number;
  shard: { index: number; count: number } | null;
  expectations: MatrixExpectations;
  timeoutMs: number;
  /** An impairment profile on every cell's access links (matrix --impair). */
  impair?: ImpairProfile;
  onProgress?: (line: string) => void;
  /** Each cell as it finishes (reporters). */
  onCellEnd?: (cell: MatrixCell) => void | Promise<void>;
  /** Every run of a cell, with its whole result (a soak's diagnosis of the runs that disagreed). */
  onRun?: (cellId: string, run: RunResult, attempt: CellAttempt) => void | Promise<void>;
  /** Aborting it stops starting cells, tears the running ones down and rejects with an AbortError. */
  signal?: AbortSignal;
  /**
   * Cells on one worker share what carries no state between them (default true): one reaper per
   * worker instead of one per cell, and no lab DNS process in cells whose peers reach everything by
   * address (cellRunOptions). Each cell still gets its own lab: namespaces, NAT rulesets and
   * conntrack, coturn and its allocations, signaling with fresh secrets, fresh peer processes.
   * false (`--no-reuse`): every cell runs exactly as a scenario run would.
   */
  reuse?: boolean;
  /**
   * A worker starts its next cell once the current cell's viewers are done, while that cell stops
   * its camera, reads its wire capture and tears down (default: as `reuse`; never on a backend
   * without concurrentLabs). Each cell still has its own lab; the two labs share nothing.
   */
  overlap?: boolean;
}

export const matrixExpectationsSchema = z.strictObject({
  /** For every cell; outcome defaults to what RFC 4787 predicts for the pair. */
  expect: expectationSchema.default({}),
  cells: z.array(z.strictObject({ viewer: z.string(), camera: z.string(), expect: expectationSchema })).default([]),
});
export type MatrixExpectations = z.infer<typeof matrixExpectationsSchema>;

export function loadMatrixExpectations(file: string | null): MatrixExpectations {
  return file ? validateWith(file, matrixExpectationsSchema, readYaml(file)) : { expect: {}, cells: [] };
}

export function cellExpectation(all: MatrixExpectations, viewer: string, camera: string, predicted: 'direct' | 'relay'): Expectation {
  const specific = all.cells.find((c) => c.viewer === viewer && c.camera === camera)?.expect ?? {};
  return { outcome: predicted, ...all.expect, ...specific };
}

/** The scenario a cell runs: each side reaches TURN the way its network allows. */
export function cellScenario(viewer: string, camera: string, opts: Pick<MatrixOptions, 'policy' | 'timeoutMs' | 'viewerKind' | 'signaling' | 'impair' | 'cameraStack'>, expect: Expectation): Scenario {
  const cell = composeCell(viewer, camera);
  const cameraStack = opts.cameraStack ?? DEFAULT_CAMERA_STACK;
  const ice = (host: string, stack: ViewerStack | CameraStack): IceSettings => ({
    policy: opts.policy,
    // Behind a firewall that blocks UDP only TCP to 443 gets out: TURN over TLS there, or plain TCP for libwebrtc.
    turnTransports: upstreamRouters(cell.topology, host).some((r) => r.nat.firewall?.blockUdp) ? tcpOnlyTransports(stack) : ['udp'],
    trickle: true,
  });
  // The libwebrtc camera encodes live: 640x480 (pi-webrtc's default) keeps two encoders per core affordable.
  const peer = (name: string, kind: PeerSpec['kind'], role: PeerSpec['role'], host: string, stack: ViewerStack | CameraStack): PeerSpec => ({
    name,
    kind,
    role,
    host,
    profile: kind === 'pi-camera' && cameraStack === 'libwebrtc' ? 'pi' : 'kvs',
    ...(kind === 'pi-camera' ? { stack: cameraStack } : {}),
    ice: ice(host, stack),
  });
  return {
    name: cell.topology.name,
    description: cell.topology.description,
    source: 'matrix',
    topology: cell.topology,
    signaling: opts.signaling,
    camera: peer('camera', 'pi-camera', 'camera', cell.cameraHost, cameraStack),
    viewers: [peer('viewer', VIEWER_KIND_OF[opts.viewerKind], 'viewer', cell.viewerHost, opts.viewerKind)],
    timeoutMs: opts.timeoutMs,
    expect,
    ...impairmentsOf(cell.topology, [cell.viewerHost, cell.cameraHost], opts.impair),
  };
}

/**
 * Refuses a matrix whose cells' peers cannot speak its signaling, before any lab is built: every
 * cell has the same peer kinds, so one cell's scenario tells (the rules are signaling-support.ts's).
 */
export function checkMatrixSignaling(opts: Pick<MatrixOptions, 'presets' | 'policy' | 'timeoutMs' | 'viewerKind' | 'signaling'>): void {
  const [first] = matrixCells(opts.presets);
  if (!first) return;
  const s = cellScenario(first.viewer, first.camera, opts, { outcome: 'direct' });
  checkSignalingSupported({ ...s, source: `matrix --signaling ${opts.signaling} --viewer ${opts.viewerKind}` });
}

function impairmentsOf(topology: Scenario['topology'], hosts: string[], profile: ImpairProfile | undefined): Pick<Scenario, 'impairments'> {
  const all = mergeImpairments(topology.impairments ?? [], profile ? profileImpairments(profile, topology, hosts) : []);
  return all.length ? { impairments: all } : {};
}

export async function runMatrix(backend: Backend, opts: MatrixOptions): Promise<MatrixResult> {
  checkMatrixSignaling(opts);
  const cameraStack = opts.cameraStack ?? DEFAULT_CAMERA_STACK;
  if (!stacksFit(opts.viewerKind, cameraStack)) {
    throw new LabError('usage', `a ${opts.viewerKind} viewer and a ${cameraStack} camera share no video codec`, `stack pairs that do: ${STACK_PAIRS.map((p) => `--viewer ${p.viewer} --camera-stack ${p.camera}`).join('; ')}`);
  }
  const t0 = monotonicMs();
  const startedAt = new Date().toISOString();
  const all = matrixCells(opts.presets);
  const cells = opts.shard ? shardCells(all, opts.shard) : all;
  const progress = opts.onProgress ?? (() => {});
  const results: MatrixCell[] = new Array(cells.length);
  let done = 0;
  let next = 0;
  const reuse = opts.reuse ?? true;
  // Two labs of one worker at once need a backend that runs labs side by side (docker: one address plan per daemon).
  const overlap = (opts.overlap ?? reuse) && backend.capabilities.concurrentLabs;
  const worker = async () => {
    // One reaper watches every lab this worker makes, one after the other.
    const reaper = reuse ? startSharedReaper(backend.name) : undefined;
    // With overlap the next cell starts once this one's viewers are done: its bring-up and peer
    // loading run during this cell's camera stop, wire reading and teardown. At most two cells of
    // a worker are in flight, the older one only in its tail.
    let previous: Promise<void> = Promise.resolve();
    let current: Promise<void> = Promise.resolve();
    try {
      while (next < cells.length && !opts.signal?.aborted) {
        const k = next++;
        const { viewer, camera, id } = cells[k];
        let viewersDone = () => {};
        const front = new Promise<void>((resolve) => (viewersDone = resolve));
        previous = current;
        current = runCell(backend, id, viewer, camera, opts, reaper, overlap ? viewersDone : undefined).then(async (c) => {
          results[k] = c;
          await opts.onCellEnd?.(c);
          progress(`[${++done}/${cells.length}] ${viewer} x ${camera}: ${c.status.toUpperCase()} ${c.outcome} (expected ${c.expect.outcome}), pass rate ${Math.round(c.passRate * 100)}%, setup p50 ${c.latency.setupMs.p50 ?? '—'} ms`);
        });
        current.catch(() => {}); // awaited below, or at the end
        await Promise.race([front, current]);
        await previous;
      }
      await current;
    } finally {
      // Whatever failed, no cell of this worker is left running when it returns.
      await Promise.allSettled([previous, current]);
      await reaper?.close();
    }
  };
  progress(`${cells.length} cell(s), signaling ${opts.signaling}${opts.shard ? ` (shard ${opts.shard.index}/${opts.shard.count} of ${all.length})` : ''}, ${opts.repeat} run(s) each, ${opts.workers} at a time${reuse ? '' : ', nothing shared between cells'}`);
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.workers, cells.length)) }, worker));
  if (opts.signal?.aborted) throw abortError(opts.signal.reason, 'the matrix');
  return {
    schemaVersion: MATRIX_RESULT_SCHEMA_VERSION,
    kind: 'matrix',
    runId: newRunId(),
    startedAt,
    backend: backend.name,
    presets: opts.presets,
    presetInfo: Object.fromEntries(opts.presets.map((p) => [p, describePreset(p)])),
    policy: opts.policy,
    viewerKind: opts.viewerKind,
    signaling: opts.signaling,
    cameraStack: opts.cameraStack ?? DEFAULT_CAMERA_STACK,
    repeat: opts.repeat,
    retries: opts.retries,
    minPassRate: opts.minPassRate,
    workers: opts.workers,
    reuse,
    shards: [opts.shard ?? { index: 1, count: 1 }],
    totalCells: all.length,
    cells: results,
    passed: results.every((c) => c.status !== 'failed'),
    wallMs: round(monotonicMs() - t0),
    ...(opts.impair ? { impairProfile: opts.impair } : {}),
  };
}

/**
 * What a cell's runs share with the worker's other cells. The lab DNS is left out only where
 * nothing asks it anything: lab signaling, peers of stacks that take the signaling and ICE
 * servers by address (the ICE config names coturn by address), and no names or services of the
 * scenario's own; the hosts file still maps every lab name.
 */
export function cellRunOptions(scenario: Scenario, reaper: SharedReaper | undefined, signal: AbortSignal | undefined): RunOptions {
  if (!reaper) return { signal };
  const byAddress = (p: PeerSpec) => p.kind === 'viewer' || p.kind === 'libwebrtc-viewer' || p.kind === 'pi-camera';
  const quiet = (scenario.signaling ?? 'lab') === 'lab' && !Object.keys(scenario.dns ?? {}).length && !scenario.services?.length && [scenario.camera, ...scenario.viewers].every(byAddress);
  return { signal, reaper, ...(quiet ? { labDns: false } : {}) };
}

async function runCell(backend: Backend, id: string, viewer: string, camera: string, opts: MatrixOptions, reaper: SharedReaper | undefined, onViewersDone?: () => void): Promise<MatrixCell> {
  const probe = composeCell(viewer, camera);
  const predicted = predictOutcome(probe.topology, probe.viewerHost, probe.cameraHost, opts.policy);
  const expect = cellExpectation(opts.expectations, viewer, camera, predicted);
  const scenario = cellScenario(viewer, camera, opts, expect);
  const base = cellRunOptions(scenario, reaper, opts.signal);
  // Only the cell's last repeat lets the next cell start (a retry after it may still overlap).
  const runOptions = onViewersDone ? ({ repeat }: { repeat: number }) => (repeat === opts.repeat ? { ...base, onViewersDone } : base) : base;
  const r = await runRepeated(scenario, backend, opts, runOptions, opts.onRun && ((run, a) => opts.onRun!(id, run, a)));
  return {
    id,
    viewer,
    camera,
    predicted,
    expect,
    status: r.status,
    outcome: r.representative.outcome,
    setupMs: r.setupMsMedian,
    firstFrameMs: r.firstFrameMsMedian,
    passRate: r.passRate,
    minPassRate: opts.minPassRate,
    latency: r.latency,
    cellChecks: r.checks,
    attempts: r.attempts,
    run: summarizeRun(r.representative),
  };
}

/** A preset in words, from the NATs on its viewer side's path. */
export function describePreset(preset: string): string {
  const cell = composeCell(preset, preset);
  const chain = upstreamRouters(cell.topology, cell.viewerHost);
  if (!chain.length) return 'no NAT: the host has a public address';
  return chain.map((r) => `${r.name}: ${natSummary(r)}`).join('; then ');
}

