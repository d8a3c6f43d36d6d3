/**
 * Lab hosts see the lab's resolv.conf and hosts file, never the machine's: every process the run
 * starts in a lab host gets a mount namespace of its own (unshare, private propagation) where the
 * two files are bind-mounted over /etc/resolv.conf and /etc/hosts. Nothing outside that process
 * tree sees the mounts, nothing is written to the machine's /etc, and the mounts vanish with the
 * process; the same works as root and inside the lab's user namespace (userns.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BackendCapabilities, LabProcess, SpawnOptions, StartedLab } from '../backends/backend.js';
import type { CommandResult, RunOptions } from '../util/run-command.js';
import { hostsFile, resolvConf } from './dns-names.js';

export interface LabEtc {
  dir: string;
  resolvConf: string;
  hosts: string;
}

/** Writes the two files into dir (the run's scratch folder); the same for every host. */
export function writeLabEtc(dir: string, nameserver: string, records: Record<string, string>): LabEtc {
  mkdirSync(dir, { recursive: true });
  const etc = { dir, resolvConf: join(dir, 'resolv.conf'), hosts: join(dir, 'hosts') };
  writeFileSync(etc.resolvConf, resolvConf(nameserver));
  writeFileSync(etc.hosts, hostsFile(records));
  return etc;
}

// $0 is the folder with the two files; "$@" the command, exec'd so its PID stays the one spawned.
const OVERLAY = 'mount --bind "$0/resolv.conf" /etc/resolv.conf && mount --bind "$0/hosts" /etc/hosts && exec "$@"';

/** argv run inside the overlay. */
export function withEtcOverlay(etc: LabEtc, argv: string[]): string[] {
  return ['unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c', OVERLAY, etc.dir, ...argv];
}

/**
 * The lab as its hosts' processes should see it: spawn and exec run inside the overlay, for a
 * backend whose capabilities.hostFiles is 'per-process'; one that mounts the files in every node
 * itself ('per-node', Docker: UpOptions.hostFiles) needs nothing here.
 */
export function labWithDns(lab: StartedLab, etc: LabEtc, hostFiles: BackendCapabilities['hostFiles']): StartedLab {
  if (hostFiles === 'per-node') return lab;
  return {
    id: lab.id,
    backend: lab.backend,
    topology: lab.topology,
    stateDir: lab.stateDir,
    livesWithThisProcess: lab.livesWithThisProcess,
    exec: (node: string, argv: string[], opts?: RunOptions): Promise<CommandResult> => lab.exec(node, withEtcOverlay(etc, argv), { purpose: `run ${argv[0]} on ${node}`, ...opts }),
    spawn: (node: string, argv: string[], opts?: SpawnOptions): LabProcess => lab.spawn(node, withEtcOverlay(etc, argv), opts),
    ...(lab.captureInternet ? { captureInternet: lab.captureInternet.bind(lab) } : {}),
    down: () => lab.down(),
  };
}
