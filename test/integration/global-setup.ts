// Builds the bundles once before the integration tests, and refuses to run without root.
import { ensureBuilt } from '../../bin/build.mjs';

export default async function setup(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('integration tests build real network namespaces: run them as root');
  await ensureBuilt();
}
