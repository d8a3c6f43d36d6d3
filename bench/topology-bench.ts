/** `npm run bench -- topology`: bring-up and teardown time per preset on this machine. */
import { NetnsBackend } from '../lab/backends/netns/netns-backend.js';
import { listTopologies, loadTopology } from '../lab/model/topology-file.js';
import { monotonicMs } from '../lab/util/clock.js';
import { median } from '../lab/util/stats.js';

export interface TopologyBenchRow {
  topology: string;
  namespaces: number;
  routers: number;
  upMs: number;
  downMs: number;
  runs: number;
}

export async function benchTopologies(runs: number, names = listTopologies(), log: (s: string) => void = () => {}): Promise<TopologyBenchRow[]> {
  const backend = new NetnsBackend();
  await backend.checkAvailable();
  const rows: TopologyBenchRow[] = [];
  for (const name of names) {
    const topology = loadTopology(name);
    const ups: number[] = [];
    const downs: number[] = [];
    for (let i = 0; i < runs + 1; i++) {
      const t0 = monotonicMs();
      const lab = await backend.up(topology);
      const t1 = monotonicMs();
      await lab.down();
      const t2 = monotonicMs();
      if (i > 0) {
        // the first run warms caches (binaries, kernel modules) and is not counted
        ups.push(t1 - t0);
        downs.push(t2 - t1);
      }
    }
    const row = { topology: name, namespaces: 1 + topology.hosts.length + topology.routers.length, routers: topology.routers.length, upMs: median(ups), downMs: median(downs), runs };
    log(`${name.padEnd(24)} up ${row.upMs.toFixed(1).padStart(6)} ms   down ${row.downMs.toFixed(1).padStart(6)} ms   (${row.namespaces} namespaces, ${row.routers} routers; median of ${runs})`);
    rows.push(row);
  }
  return rows;
}
