/**
 * `npm run bench -- soak`: every shipped scenario N times in a row. A lab that flakes cannot gate a
 * release: prints the pass rate per scenario, then checks that nothing was left behind.
 */
import { existsSync, readdirSync } from 'node:fs';
import { NetnsBackend } from '../lab/backends/netns/netns-backend.js';
import { pidsInNamespaces } from '../lab/backends/netns/processes.js';
import { listLabIds } from '../lab/backends/state.js';
import { listScenarios, loadScenario } from '../lab/model/scenario.js';
import { runScenario } from '../lab/run/run-scenario.js';

export interface SoakRow {
  scenario: string;
  runs: number;
  passed: number;
  failures: string[];
}

export function leftovers(): string[] {
  const left: string[] = [];
  const ns = existsSync('/run/netns') ? readdirSync('/run/netns').filter((n) => n.startsWith('wrl-')) : [];
  if (ns.length) left.push(`${ns.length} lab namespace(s): ${ns.slice(0, 5).join(', ')}`);
  const pids = pidsInNamespaces(ns);
  if (pids.length) left.push(`${pids.length} process(es) in lab namespaces`);
  const states = listLabIds();
  if (states.length) left.push(`${states.length} lab state folder(s)`);
  return left;
}

export async function benchSoak(runs: number, names = listScenarios(), log: (s: string) => void = () => {}): Promise<{ rows: SoakRow[]; leftovers: string[] }> {
  const backend = new NetnsBackend();
  await backend.checkAvailable();
  const before = leftovers();
  if (before.length) log(`note: present before the soak: ${before.join('; ')}`);
  const rows: SoakRow[] = [];
  for (const name of names) {
    const row: SoakRow = { scenario: name, runs, passed: 0, failures: [] };
    for (let i = 0; i < runs; i++) {
      const r = await runScenario(loadScenario(name), backend);
      if (r.passed) row.passed++;
      else row.failures.push(`run ${i + 1}: ${r.outcome}: ${r.sessions.find((s) => s.failure)?.failure ?? r.expectations.filter((c) => !c.ok).map((c) => `${c.name} expected ${c.expected}, got ${c.actual}`).join('; ')}`);
    }
    rows.push(row);
    log(`${name.padEnd(24)} ${`${row.passed}/${runs}`.padStart(6)}${row.failures.length ? `   ${row.failures.join(' | ')}` : ''}`);
  }
  const left = leftovers();
  log(left.length ? `LEFT BEHIND: ${left.join('; ')}` : 'nothing left behind (namespaces, processes, state folders)');
  return { rows, leftovers: left };
}
