/** What every backend provides: build a topology, run things inside its nodes, take it down. */
import type { Readable, Writable } from 'node:stream';
import type { Topology } from '../model/topology.js';
import type { CommandResult, RunOptions } from '../util/run-command.js';

export const BACKEND_NAMES = ['netns', 'docker'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface SpawnOptions {
  env?: Record<string, string>;
  /** 'pipe' (default): readable as LabProcess.stdout/stderr; or discard, or the terminal's. */
  stdio?: 'pipe' | 'ignore' | 'inherit';
  /** 'pipe' to write to the process's standard input; default: none. */
  stdin?: 'pipe' | 'ignore';
  /** Connect the terminal (stdin too), for shells and interactive tools. */
  interactive?: boolean;
  /** Working directory of the process. */
  cwd?: string;
  /** Docker only: run it in this image (a container sharing the node's network) instead of the lab's. */
  image?: string;
}

export interface LabProcess {
  readonly node: string;
  /** Host PID of the process itself (for /proc sampling), once known; -1 before. */
  readonly pid: number;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Present with stdin: 'pipe'. */
  readonly stdin: Writable | null;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after graceMs if it is still running. */
  stop(graceMs?: number): Promise<void>;
}

export interface UpOptions {
  /** Use this id instead of a fresh one. */
  labId?: string;
  /** Called with a short line for each bring-up step (progress on long builds). */
  onStep?: (step: string) => void;
  /**
   * Called as soon as every node exists, before addresses, routes and NAT rules are in place:
   * processes can start there (and load their code) while the network is finished around them.
   */
  onCreated?: (lab: StartedLab) => void;
}

export interface StartedLab {
  readonly id: string;
  readonly backend: BackendName;
  readonly topology: Topology;
  /** Per-lab scratch folder (certificates, logs); removed by down(). */
  readonly stateDir: string;
  exec(node: string, argv: string[], opts?: RunOptions): Promise<CommandResult>;
  spawn(node: string, argv: string[], opts?: SpawnOptions): LabProcess;
  /** Stops every process the lab started and removes every resource. Idempotent; reports all failures. */
  down(): Promise<void>;
}

export interface LabSummary {
  id: string;
  backend: BackendName;
  topology: string | null;
  /** Complete labs have their state file; leftovers of a crash may not. */
  complete: boolean;
}

export interface Backend {
  readonly name: BackendName;
  /** Throws a LabError naming what is missing (privileges, tools, daemon) and how to fix it. */
  checkAvailable(): Promise<void>;
  up(topology: Topology, opts?: UpOptions): Promise<StartedLab>;
  /** A lab built earlier, possibly by another process (`lab up` then `lab exec`). */
  attach(labId: string): Promise<StartedLab>;
  list(): Promise<LabSummary[]>;
  /** Removes everything the given labs (default: every lab of this backend) left behind; returns what it removed. */
  clean(labIds?: string[]): Promise<string[]>;
}
