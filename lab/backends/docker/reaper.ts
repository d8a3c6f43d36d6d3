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
    // Loading testcontainers costs about 0.8 s of CPU: only when some Ryuk image is there at all.
    const reference = process.env.RYUK_CONTAINER_IMAGE ?? 'testcontainers/ryuk';
    if (!(await docker.listImages({ filters: { reference: [reference] } })).length) return {};
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
