/**
 * `npm run bench -- firewall`: a firewalled cell against an open one plus the TURN/TLS handshake.
 * The reference is `port-restricted-cone` with both peers held to relay over TURN/TLS (the same
 * handshakes the firewalled run needs, through NATs that block nothing); the firewall's own cost
 * is then what is left: werift's STUN requests that the firewall drops. Alternated pair by pair.
 */
import { loadavg } from 'node:os';
import { NetnsBackend } from '../lab/backends/netns/netns-backend.js';
import { loadScenario, scenarioFromData } from '../lab/model/scenario.js';
import { runScenario } from '../lab/run/run-scenario.js';
import { median } from '../lab/util/stats.js';

export interface FirewallBench {
  runs: number;
  /** Offer -> data channel open, medians. */
  setupMs: { firewalled: number; openRelayTls: number };
  /** The lab's own wall time of each run, medians. */
  wallMs: { firewalled: number; openRelayTls: number };
  /** Median of the per-pair ratios firewalled / open relay over TLS (setup). */
  ratio: number;
  ratios: number[];
  passed: number;
  load: [number, number];
}

/** port-restricted-cone with both peers on TURN over TLS only, expected to relay over TLS. */
export function openRelayOverTls() {
  return scenarioFromData(
    {
      name: 'port-restricted-cone-relay-tls',
      description: 'port-restricted-cone with both peers held to TURN over TLS: an open network plus the TURN/TLS handshake',
      topology: 'port-restricted-cone',
      peers: { camera: { kind: 'pi-camera', host: 'b', profile: 'kvs' }, viewer: { kind: 'viewer', host: 'a' } },
      ice: { policy: 'relay', turnTransports: ['tls'] },
      timeoutMs: 20000,
      expect: { outcome: 'relay', relayProtocol: 'tls' },
    },
    'bench/firewall-bench.ts',
  );
}

export async function benchFirewall(runs: number, log: (s: string) => void = () => {}): Promise<FirewallBench> {
  const backend = new NetnsBackend();
  await backend.checkAvailable();
  const load0 = loadavg()[0];
  const scenarios = { firewalled: loadScenario('firewalled'), openRelayTls: openRelayOverTls() };
  // One warm-up of each: the first TLS run also writes the code cache of that path.
  for (const s of Object.values(scenarios)) await runScenario(s, backend);
  const pairs: { firewalled: { setup: number; wall: number }; openRelayTls: { setup: number; wall: number } }[] = [];
  let passed = 0;
  for (let i = 0; i < runs; i++) {
    const pair = {} as (typeof pairs)[number];
    for (const key of ['openRelayTls', 'firewalled'] as const) {
      const r = await runScenario(scenarios[key], backend);
      if (r.passed) passed++;
      pair[key] = { setup: r.setupMs ?? Number.NaN, wall: r.overhead.wallMs };
    }
    pairs.push(pair);
  }
  const ratios = pairs.map((p) => Math.round((p.firewalled.setup / p.openRelayTls.setup) * 100) / 100);
  const med = (key: 'firewalled' | 'openRelayTls', f: 'setup' | 'wall') => Math.round(median(pairs.map((p) => p[key][f])));
  const result: FirewallBench = {
    runs,
    setupMs: { firewalled: med('firewalled', 'setup'), openRelayTls: med('openRelayTls', 'setup') },
    wallMs: { firewalled: med('firewalled', 'wall'), openRelayTls: med('openRelayTls', 'wall') },
    ratio: Math.round(median(ratios) * 100) / 100,
    ratios,
    passed,
    load: [Math.round(load0 * 100) / 100, Math.round(loadavg()[0] * 100) / 100],
  };
  log(
    `firewalled setup ${result.setupMs.firewalled} ms (wall ${result.wallMs.firewalled} ms)  open + relay over TLS setup ${result.setupMs.openRelayTls} ms (wall ${result.wallMs.openRelayTls} ms)  ` +
      `ratio ${result.ratio.toFixed(2)} (pairs: ${ratios.map((r) => r.toFixed(2)).join(' ')}; ${passed}/${runs * 2} passed; load ${result.load.join(' -> ')})`,
  );
  return result;
}
