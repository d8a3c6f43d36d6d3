/** Which werift the peers run: the lab's runtime patches to werift refuse any version they were not read against. */
import { findWeriftVersion } from '../../bin/werift-version.mjs';

/** The version bin/build.mjs found when it bundled werift (undefined when running from source). */
declare const __LAB_WERIFT_VERSION__: string | undefined;

export function installedWeriftVersion(): string {
  return typeof __LAB_WERIFT_VERSION__ === 'string' ? __LAB_WERIFT_VERSION__ : findWeriftVersion();
}

/** Throws, naming the patch and what to re-check, when `version` is not one the patch was read against. */
export function assertCheckedWerift(patch: string, checked: readonly string[], version: string, hint: string): void {
  if (!checked.includes(version)) throw new Error(`${patch}: werift ${version} is not a version this patch was checked against (${checked.join(', ')}): ${hint}`);
}
