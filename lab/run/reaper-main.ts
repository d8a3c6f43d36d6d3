/**
 * The reaper process of one lab (see reaper.ts): `node dist/reaper.mjs <labId> <ownerPid> <backend>`.
 * Standard input is a pipe from the owner: "release" means the lab was taken down and there is
 * nothing to do; end of input without it means the owner died, and the lab is removed.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { labDir } from '../backends/state.js';
import { isAlive, stopPids } from '../backends/netns/processes.js';
import { RELEASE } from './reaper.js';

const [labId, ownerArg, backendName] = process.argv.slice(2);
const ownerPid = Number(ownerArg);
const POLL_MS = 250;
/** Rounds of cleaning: one removes, the next proves nothing came back from a step still in flight. */
const MAX_ROUNDS = 5;

let input = '';
let reaping = false;

process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  input += chunk;
  if (input.split('\n').includes(RELEASE)) process.exit(0);
});
process.stdin.on('end', () => void ownerGone());
process.stdin.on('error', () => void ownerGone());
// The pipe tells at once; polling the pid is the fallback should anyone else hold the pipe open.
setInterval(() => isAlive(ownerPid) || void ownerGone(), POLL_MS);

async function ownerGone(): Promise<void> {
  if (reaping) return;
  reaping = true;
  const t0 = performance.now();
  const log = (line: string) => process.stderr.write(`reaper of lab ${labId} (owner ${ownerPid}): ${(performance.now() - t0).toFixed(0)} ms: ${line}\n`);
  try {
    // Host-side helpers of the dead owner (a bring-up script) would go on building after the
    // clean: stop every process started from this lab's state folder first.
    await stopPids(processesMentioning(`${labDir(labId)}/`), 300);
    const { cleanLabs } = await import('./clean-labs.js');
    const { getBackend } = await import('../backends/index.js');
    const backend = await getBackend(backendName);
    for (let round = 1; round <= MAX_ROUNDS; round++) {
      const removed = await cleanLabs([labId], [backend]);
      log(`round ${round}: ${removed.length ? `removed ${removed.join(', ')}` : 'nothing left'}`);
      if (!removed.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    log(`failed: ${(err as Error).message} (run: npm run lab -- clean ${labId})`);
  } finally {
    process.exit(0);
  }
}

function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').some((arg) => arg.includes(text))) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}
