/** What every backend provides: build a topology, run things inside its nodes, take it down. */
import type { Readable, Writable } from 'node:stream';
import type { Topology } from '../model/topology.js';
import type { CommandResult, RunOptions } from '../util/run-command.js';

/** A backend's name as the CLI, config and results spell it ("netns", "docker"); the registry (registry.ts) knows them all. */
export type BackendName = string;

/**
 * What a backend can do, so callers ask for a capability and never for a backend by name: a new
 * backend declares these in its own folder and every command treats it right.
 */
export interface BackendCapabilities {
  /** Peers can run from an image of the user's (a scenario's `peers.<name>.image`, SpawnOptions.image). */
  customImages: boolean;
  /** Browser peers (the Chromium viewer) can run in its hosts. */
  browsers: boolean;
  /** Several labs of one address plan can be up at once (matrix cells in parallel, --workers > 1). */
  concurrentLabs: boolean;
  /** Network events during a call (scenario `events:`): rebind, handover, link down, block, TURN stop (StartedLab.moveHost for handovers). */
  callEvents: boolean;
  /** What building a lab takes, in words for errors and `doctor`. */
  privileges: string;
  /**
   * How the lab's resolv.conf and hosts (lab DNS) reach its hosts' processes: 'per-process' (the
   * run wraps each process in a mount overlay: network/dns-hosts.ts), or 'per-node' (the backend
   * gives every node UpOptions.hostFiles as its /etc/resolv.conf and /etc/hosts).
   */
  hostFiles: 'per-process' | 'per-node';
  /**
   * Link impairments (delay, loss, rate...: docs/impairments.md) can be put on its nodes'
   * interfaces: true, or why not (absent: no).
   */
  linkImpairments?: true | { unsupported: string };
}

/**
 * For a backend that works without root by re-running the CLI command in a space of its own (the
 * netns backend: a user namespace, where a lab lives only as long as the process that built it).
 */
export interface UnprivilegedMode {
  /** Re-runs this command (its CLI arguments) with the privileges it needs when this process lacks them: the exit code; null when not needed. */
  rerunIfNeeded(cliArgs: string[]): Promise<number | null>;
  /** The process a lab lives in when that is not this one (pid), else null. */
  ownerOf(labId: string): number | null;
  /** Runs this command inside that process's namespaces (exec into its lab): the exit code. */
  rerunInOwner(ownerPid: number, cliArgs: string[]): Promise<number>;
  /** Asks that process to take its lab down, and waits until it has. */
  stopOwner(ownerPid: number): Promise<void>;
}

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
  /** Run it in this image (a container sharing the node's network) instead of the lab's; needs capabilities.customImages. */
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
  /** The lab's /etc/resolv.conf and /etc/hosts for every node, with capabilities.hostFiles 'per-node'. */
  hostFiles?: { resolvConf: string; hosts: string };
  /** Folders of the machine that processes in the lab read at the same paths (a scenario's folder, its project). */
  folders?: string[];
}

export interface StartedLab {
  readonly id: string;
  readonly backend: BackendName;
  readonly topology: Topology;
  /** The lab exists only while this process runs (netns in a user namespace): keep it alive while the lab is wanted. */
  readonly livesWithThisProcess: boolean;
  /** Per-lab scratch folder (certificates, logs); removed by down(). */
  readonly stateDir: string;
  exec(node: string, argv: string[], opts?: RunOptions): Promise<CommandResult>;
  spawn(node: string, argv: string[], opts?: SpawnOptions): LabProcess;
  /**
   * Starts `tcpdump` (argv: the program and its options, `-w` file included; the backend adds the
   * interface) where every frame on the internet segment passes once, with this filter; absent
   * when the backend has no such point (the wire oracle then says so).
   */
  captureInternet?(tcpdump: string[], filter: string): LabProcess;
  /**
   * Moves a host to another segment (a handover): its old interface goes down without its address
   * (netns) or away (docker), a new one on `segment` gets `address` and the default route via
   * `gateway`. Returns the new interface's name (eth1, eth2...). Backends with capabilities.callEvents have it.
   */
  moveHost?(host: string, segment: string, address: string, gateway: string): Promise<string>;
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
  readonly capabilities: BackendCapabilities;
  readonly unprivileged?: UnprivilegedMode;
  /** Throws a LabError naming what is missing (privileges, tools, daemon) and how to fix it. */
  checkAvailable(): Promise<void>;
  up(topology: Topology, opts?: UpOptions): Promise<StartedLab>;
  /** A lab built earlier, possibly by another process (`lab up` then `lab exec`). */
  attach(labId: string): Promise<StartedLab>;
  list(): Promise<LabSummary[]>;
  /** Removes everything the given labs (default: every lab of this backend) left behind; returns what it removed. */
  clean(labIds?: string[]): Promise<string[]>;
}
