/**
 * testcontainers' reaper (Ryuk) removes what a dead process left, where its image is present; with
 * no registry it usually is not, and the lab relies on its own labels (`npm run lab -- clean`).
 */
import type Dockerode from 'dockerode';
import { dynamicImport } from '../../util/dynamic-import.js';

let labels: Promise<Record<string, string>> | null = null;

export function reaperLabels(docker: Dockerode): Promise<Record<string, string>> {
  labels ??= (async (): Promise<Record<string, string>> => {
    if (process.env.TESTCONTAINERS_RYUK_DISABLED === 'true') return {};
    const tc = await dynamicImport<typeof import('testcontainers')>('testcontainers');
    const { REAPER_IMAGE } = await dynamicImport<typeof import('testcontainers/build/reaper/reaper.js')>('testcontainers/build/reaper/reaper.js');
    try {
      await docker.getImage(REAPER_IMAGE).inspect();
    } catch {
      return {};
    }
    const reaper = await tc.getReaper(await tc.getContainerRuntimeClient());
    return { [tc.LABEL_TESTCONTAINERS_SESSION_ID]: reaper.sessionId };
  })().catch(() => ({}));
  return labels!;
}
