import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LabError } from '../model/errors.js';
import { projectPath } from '../util/paths.js';
import { readLabState } from './state.js';
import type { Backend, BackendName } from './backend.js';
import { BACKENDS, BACKEND_NAMES, backendEntry } from './registry.js';

/** The backend when none is named: $WEBRTC_LAB_BACKEND, else "backend" in lab.config.json, else netns. */
export function defaultBackendName(): BackendName {
  const env = process.env.WEBRTC_LAB_BACKEND;
  if (env) return checkName(env, 'WEBRTC_LAB_BACKEND');
  const file = [join(process.cwd(), CONFIG_FILE), projectPath(CONFIG_FILE)].find((f) => existsSync(f));
  if (file) {
    let config: { backend?: unknown };
    try {
      config = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new LabError('invalid-file', `${file}: not valid JSON: ${(err as Error).message}`);
    }
    if (config.backend !== undefined) return checkName(String(config.backend), `${file}: backend`);
  }
  return 'netns';
}

export const CONFIG_FILE = 'lab.config.json';

function checkName(name: string, where: string): BackendName {
  if (!backendEntry(name)) throw new LabError('usage', `${where}: "${name}" is not a backend (known: ${BACKEND_NAMES.join(', ')})`);
  return name;
}

/** The backend that built a lab (from its state), unless one is named explicitly. */
export async function backendForLab(labId: string, explicit: string | undefined): Promise<Backend> {
  if (explicit) return getBackend(explicit);
  const state = readLabState(labId);
  return getBackend(state?.backend ?? defaultBackendName());
}

export async function getBackend(name: string = defaultBackendName()): Promise<Backend> {
  const entry = backendEntry(name);
  if (!entry) throw new LabError('usage', `unknown backend "${name}" (known: ${BACKEND_NAMES.join(', ')})`);
  return entry.create();
}

export async function allBackends(): Promise<Backend[]> {
  return Promise.all(BACKENDS.map((b) => b.create()));
}
