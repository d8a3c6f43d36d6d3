/**
 * The reaper process of one lab (see reaper.ts): `node dist/reaper.mjs <labId> <ownerPid> <backend> [built]`.
 * Standard input is a pipe from the owner: "release" means the lab was taken down and there is
 * nothing to do; end of input without it means the owner died, and the lab is removed. Started by
 * the netns watcher (reaper.ts WATCHER) once the owner is gone, it gets "built" as an argument and
 * finds its input already at its end.
 *
 * A shared reaper (a matrix worker's, `-` for the lab id) watches labs the owner names on the pipe
 * as it makes them: "lab <id>" before the lab exists, "built <id>", "done <id>" once it is down;
 * "release" ends it. When the owner dies it removes every lab named and not done.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { labDir } from '../backends/state.js';
import { isAlive, stopPids } from '../backends/netns/processes.js';
import { BUILT, DONE, LAB, RELEASE } from './reaper.js';

const [labArg, ownerArg, backendName, builtArg] = process.argv.slice(2);
const ownerPid = Number(ownerArg);
/** The labs still up, and whether each was built. */
const labs = new Map<string, boolean>(labArg === '-' ? [] : [[labArg, builtArg === BUILT]]);
const POLL_MS = 250;
/**
 * After a round that removed something, quiet rounds at these gaps (ms) must find nothing. An owner
 * that died during bring-up may have had a step in flight (a bring-up script, a container create
 * the daemon is still working on) that brings something back a moment later; once the lab was
 * built ("built" on the pipe), everything lives inside it and one immediate check suffices.
 */
const QUIET_GAPS_MS = { building: [100, 200, 400], built: [0] };
const MAX_ROUNDS = 8;

// Loaded now, while nothing is urgent: a backend's client (dockerode) can take a second to load
// on a busy machine, and that second would come off the 2 s a dead owner's lab has to vanish.
const ready = (async () => {
  const { cleanLabs } = await import('./clean-labs.js');
  const { getBackend } = await import('../backends/index.js');
  const backend = await getBackend(backendName);
  // Cheap for every backend (a folder listing for netns); for docker it loads and connects the client.
  await backend.list().catch(() => {});
  return { cleanLabs, backend };
})();
ready.catch(() => {});

let input = '';
let reaping = false;

process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  input += chunk;
  const lines = input.split('\n');
  input = lines.pop()!;
  for (const line of lines) {
    const [word, id = labArg] = line.split(' ');
    if (word === RELEASE) process.exit(0);
    if (word === BUILT && labs.has(id)) labs.set(id, true);
    if (word === LAB) labs.set(id, false);
    if (word === DONE) labs.delete(id);
  }
});
process.stdin.on('end', () => void ownerGone());
process.stdin.on('error', () => void ownerGone());
// The pipe tells at once; polling the pid is the fallback should anyone else hold the pipe open.
setInterval(() => isAlive(ownerPid) || void ownerGone(), POLL_MS);

async function ownerGone(): Promise<void> {
  if (reaping) return;
  reaping = true;
  const t0 = performance.now();
  const ids = [...labs.keys()];
  const built = [...labs.values()].every(Boolean);
  const log = (line: string) => process.stderr.write(`reaper of lab ${ids.join(', ') || '(none)'} (owner ${ownerPid}): ${(performance.now() - t0).toFixed(0)} ms: ${line}\n`);
  try {
    if (!ids.length) return;
    // Host-side helpers of the dead owner (a bring-up script) would go on building after the
    // clean: stop every process started from these labs' state folders first.
    await stopPids(ids.flatMap((id) => processesMentioning(`${labDir(id)}/`)), 300);
    const { cleanLabs, backend } = await ready;
    const gaps = built ? QUIET_GAPS_MS.built : QUIET_GAPS_MS.building;
    let quiet = 0;
    for (let round = 1; round <= MAX_ROUNDS && quiet < gaps.length; round++) {
      const removed = await cleanLabs(ids, [backend]);
      log(`round ${round}${built ? '' : ' (owner died during bring-up)'}: ${removed.length ? `removed ${removed.join(', ')}` : 'nothing left'}`);
      quiet = removed.length ? 0 : quiet + 1;
      if (quiet < gaps.length) await new Promise((r) => setTimeout(r, gaps[quiet]));
    }
  } catch (err) {
    log(`failed: ${(err as Error).message} (run: npm run lab -- clean ${ids.join(' ')})`);
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
