/** How a setting is chosen: the command-line flag (or API option), else the config file, else the default. */
import type { BackendName } from '../backends/backend.js';
import type { RepeatOptions } from '../run/repeat.js';
import type { ResolvedConfig } from './load-config.js';

/**
 * undefined lets the backend module decide ($WEBRTC_LAB_BACKEND, then lab.config.json, then netns);
 * the environment variable beats the config file as it beat lab.config.json.
 */
export function chooseBackend(explicit: string | undefined, config: ResolvedConfig): string | undefined {
  if (explicit) return explicit;
  if (process.env.WEBRTC_LAB_BACKEND) return undefined;
  return config.backend satisfies BackendName | undefined;
}

/** Repeat settings when any of them is given (flag or config); null: a single run. */
export function chooseRepeat(given: Partial<RepeatOptions>, config: ResolvedConfig): RepeatOptions | null {
  const repeat = given.repeat ?? config.repeat;
  const retries = given.retries ?? config.retries;
  const minPassRate = given.minPassRate ?? config.minPassRate;
  if (repeat === undefined && retries === undefined && minPassRate === undefined) return null;
  return { repeat: repeat ?? 1, retries: retries ?? 0, minPassRate: minPassRate ?? 1 };
}
