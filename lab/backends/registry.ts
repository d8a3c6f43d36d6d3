/**
 * Every backend the lab knows, by name. A backend lives in its own folder and exports an entry
 * (name, capabilities, a loader); adding one is its folder plus one line here.
 */
import type { Backend, BackendCapabilities } from './backend.js';
import { dockerEntry } from './docker/entry.js';
import { netnsEntry } from './netns/entry.js';

export interface BackendEntry {
  name: string;
  /** The same object the backend's `capabilities` holds, readable without loading it. */
  capabilities: BackendCapabilities;
  /** Loads the implementation (lazily: docker's pulls in dockerode). */
  create(): Promise<Backend>;
}

export const BACKENDS: readonly BackendEntry[] = [netnsEntry, dockerEntry];

export const BACKEND_NAMES: readonly string[] = BACKENDS.map((b) => b.name);

export function backendEntry(name: string): BackendEntry | undefined {
  return BACKENDS.find((b) => b.name === name);
}

/** Names of the backends that have a capability, for hints ("run with --backend docker"). */
export function backendsWith(capability: 'customImages' | 'browsers' | 'concurrentLabs' | 'callEvents' | 'linkImpairments'): string[] {
  return BACKENDS.filter((b) => b.capabilities[capability] === true).map((b) => b.name);
}
