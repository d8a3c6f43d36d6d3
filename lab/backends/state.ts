/** Per-lab state folders: what a later command (`exec`, `down`, `clean`) needs to find a lab again. */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Topology } from '../model/topology.js';
import type { BackendName } from './backend.js';

export interface LabState {
  id: string;
  backend: BackendName;
  topology: Topology;
  createdAt: string;
  /** Process that built it; in user-namespace mode the lab lives only as long as this process. */
  ownerPid: number;
  userNamespace: boolean;
}

export function stateRoot(): string {
  if (process.env.WEBRTC_LAB_STATE_DIR) return process.env.WEBRTC_LAB_STATE_DIR;
  if (process.getuid?.() === 0) return '/run/webrtc-lab';
  return join(process.env.XDG_RUNTIME_DIR ?? tmpdir(), `webrtc-lab-${process.getuid?.() ?? 'user'}`);
}

export function labDir(labId: string): string {
  return join(stateRoot(), labId);
}

export function createLabDir(labId: string): string {
  const dir = labDir(labId);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

export function writeLabState(state: LabState): void {
  writeFileSync(join(labDir(state.id), 'lab.json'), JSON.stringify(state, null, 2));
}

export function readLabState(labId: string): LabState | null {
  try {
    return JSON.parse(readFileSync(join(labDir(labId), 'lab.json'), 'utf8')) as LabState;
  } catch {
    return null;
  }
}

export function listLabIds(): string[] {
  try {
    return readdirSync(stateRoot()).filter((d) => /^[0-9a-f]{4,16}$/.test(d));
  } catch {
    return [];
  }
}

export function removeLabDir(labId: string): void {
  rmSync(labDir(labId), { recursive: true, force: true });
}
