/** Builds a topology, puts coturn on its internet and classifies the NAT in front of every host. */
import type { Backend, StartedLab } from '../backends/backend.js';
import type { Topology } from '../model/topology.js';
import { peerHosts, upstreamRouters } from '../model/topology.js';
import { startCoturn } from '../services/coturn.js';
import { onShutdown } from '../util/shutdown.js';
import { Teardown } from '../util/teardown.js';
import { NatObservation, expectedObservation, natdiscoveryRuns, parseNatdiscovery, sameObservation } from './nat-discovery.js';

export interface HostVerdict {
  host: string;
  /** Routers between the host and the internet, nearest first, with their NAT label. */
  via: { router: string; nat: string }[];
  declared: NatObservation;
  observed: NatObservation;
  match: boolean;
  /** turnutils_natdiscovery's own output, for a mismatch. */
  output: string;
}

export interface VerifyNatResult {
  topology: string;
  backend: string;
  labId: string;
  hosts: HostVerdict[];
  ok: boolean;
}

export interface VerifyNatOptions {
  onStep?: (step: string) => void;
  /** Aborting tears the lab down and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Runs once the lab is built, before discovery: lets a test tamper with a router to prove mismatches are caught. */
  afterUp?: (lab: StartedLab) => Promise<void>;
}

export async function verifyNat(backend: Backend, topology: Topology, opts: VerifyNatOptions = {}): Promise<VerifyNatResult> {
  const onStep = opts.onStep ?? (() => {});
  const teardown = new Teardown();
  const release = onShutdown(() => teardown.unwind());
  try {
    onStep(`building ${topology.name}`);
    const lab = await backend.up(topology);
    teardown.push('take the lab down', () => lab.down());
    await opts.afterUp?.(lab);
    onStep(`lab ${lab.id}: starting coturn on two public addresses`);
    const coturn = await startCoturn(lab, { addresses: topology.services.addresses, realm: 'lab' });
    teardown.push('stop coturn', () => coturn.stop());
    const hosts = peerHosts(topology);
    onStep(`running turnutils_natdiscovery from ${hosts.map((h) => h.name).join(', ')}`);
    const verdicts = await Promise.all(
      hosts.map(async (h): Promise<HostVerdict> => {
        const runs = await Promise.all(
          natdiscoveryRuns(topology.services.addresses[0], h.iface.addresses[0]).map((argv) => lab.exec(h.name, argv, { check: false, timeoutMs: 30_000 })),
        );
        const output = runs.map((r) => r.stdout + r.stderr).join('\n');
        const declared = expectedObservation(topology, h.name);
        const observed = parseNatdiscovery(output);
        return {
          host: h.name,
          via: upstreamRouters(topology, h.name).map((r) => ({ router: r.name, nat: r.natLabel })),
          declared,
          observed,
          match: sameObservation(declared, observed),
          output,
        };
      }),
    );
    return { topology: topology.name, backend: backend.name, labId: lab.id, hosts: verdicts, ok: verdicts.every((v) => v.match) };
  } finally {
    release();
    await teardown.unwind();
  }
}
