/**
 * `npm run bench -- impair [--runs N]`: configured vs measured link impairments on this machine,
 * by the path the lab picks (netem or nfq-impair), between two hosts of a small lab: one router
 * (nata) between host a and host b on the internet; each figure from net-probe (lab/tools/).
 */
import { createInterface } from 'node:readline';
import { NetnsBackend } from '../lab/backends/netns/netns-backend.js';
import type { StartedLab } from '../lab/backends/backend.js';
import { impairmentSchema } from '../lab/model/impairment.js';
import { applyImpairments } from '../lab/network/impair/apply.js';
import { NET_PROBE, PROBE_PORT, PROBE_TOPOLOGY } from '../lab/network/impair/probe-lab.js';

const topology = PROBE_TOPOLOGY;
const PORT = PROBE_PORT;
const probe = NET_PROBE;

interface Case {
  name: string;
  /** On nata wan0. */
  impairment: object;
  probe: string[];
  /** What the probe should show, and what it did. */
  expected: number;
  measured: (out: Record<string, any>) => number;
  unit: string;
}

const CASES: Case[] = [
  ...[10, 50, 100, 300].map((d) => ({ name: `delay ${d} ms each way`, impairment: { delayMs: d }, probe: ['rtt', '200', '5'], expected: 2 * d, measured: (o: any) => o.rttMs.p50, unit: 'ms RTT p50' })),
  { name: 'delay 50 ms, jitter 10 ms each way', impairment: { delayMs: 50, jitterMs: 10 }, probe: ['rtt', '500', '5'], expected: 100, measured: (o: any) => o.rttMs.mean, unit: 'ms RTT mean' },
  ...[0.01, 0.05, 0.1, 0.2].map((l) => ({ name: `loss ${l * 100}% out`, impairment: { loss: l, direction: 'out' }, probe: ['rtt', '2000', '1'], expected: l, measured: (o: any) => o.lossShare, unit: 'share lost' })),
  { name: 'burst loss p=0.0105 r=0.2 out', impairment: { burstLoss: { p: 0.0105, r: 0.2 }, direction: 'out' }, probe: ['rtt', '4000', '1'], expected: 0.0105 / 0.2105, measured: (o: any) => o.lossShare, unit: 'share lost' },
  { name: 'duplicate 5% out', impairment: { duplicate: 0.05, direction: 'out' }, probe: ['rtt', '2000', '1'], expected: 0.05, measured: (o: any) => o.duplicates / o.sent, unit: 'share duplicated' },
  { name: 'reorder 10% (delay 20 ms) out', impairment: { delayMs: 20, reorder: 0.1, direction: 'out' }, probe: ['rtt', '2000', '1'], expected: 0.1, measured: (o: any) => o.reordered / o.received, unit: 'share arriving early' },
  ...[500, 2000, 10000].map((k) => ({ name: `rate ${k} kbit/s out`, impairment: { rateKbps: k, queue: 50, direction: 'out' }, probe: ['blast', String(2 * k), '3000'], expected: k, measured: (o: any) => o.rateKbps, unit: 'kbit/s' })),
];

export interface ImpairBenchRow {
  name: string;
  method: string;
  expected: number;
  measured: number[];
  unit: string;
}

async function measure(lab: StartedLab, c: Case): Promise<{ method: string; value: number }> {
  const applied = await applyImpairments(lab, [impairmentSchema.parse({ node: 'nata', iface: 'wan0', ...c.impairment })]);
  const server = lab.spawn('b', ['node', probe, 'serve', String(PORT)]);
  try {
    await new Promise<void>((resolve) => createInterface({ input: server.stdout }).on('line', (l) => l.includes('listening') && resolve()));
    const b = lab.topology.hosts.find((h) => h.name === 'b')!.iface.addresses[0];
    const [mode, ...rest] = c.probe;
    const r = await lab.exec('a', ['node', probe, mode, b, String(PORT), ...rest], { timeoutMs: 60_000 });
    return { method: applied.method, value: c.measured(JSON.parse(r.stdout.trim().split('\n').pop()!)) };
  } finally {
    await server.stop(200);
    await applied.stop();
  }
}

/** `only`: cases whose name contains one of these (default: all). */
export async function benchImpairments(runs: number, log: (s: string) => void, only?: string[]): Promise<ImpairBenchRow[]> {
  const backend = new NetnsBackend();
  const rows: ImpairBenchRow[] = [];
  for (const c of CASES.filter((k) => !only || only.some((o) => k.name.includes(o)))) {
    const row: ImpairBenchRow = { name: c.name, method: '', expected: c.expected, measured: [], unit: c.unit };
    for (let i = 0; i < runs; i++) {
      // A fresh lab per measurement: the queue rules of one case stay until its lab goes.
      const lab = await backend.up(topology);
      try {
        const m = await measure(lab, c);
        row.method = m.method;
        row.measured.push(m.value);
      } finally {
        await lab.down();
      }
    }
    const fmt = (v: number) => (c.unit.startsWith('share') ? `${(v * 100).toFixed(2)}%` : v.toFixed(1));
    const worst = Math.max(...row.measured.map((v) => Math.abs(v - c.expected)));
    log(`${c.name.padEnd(36)} ${row.method.padEnd(8)} expected ${fmt(c.expected).padStart(8)}  measured ${row.measured.map(fmt).join(', ')} ${c.unit} (worst off by ${fmt(worst)})`);
    rows.push(row);
  }
  return rows;
}
