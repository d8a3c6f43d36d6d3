/** Builds a topology, puts coturn on its internet and classifies the NAT in front of every host. */
import type { Backend, StartedLab } from '../backends/backend.js';
import type { HostNode, Topology } from '../model/topology.js';
import { peerHosts, upstreamRouters } from '../model/topology.js';
import { startCoturn } from '../services/coturn.js';
import { LabSession, type TeardownRecord } from '../run/lab-session.js';
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
  /** Every router behaves as declared. */
  ok: boolean;
  /** Taking the lab down: failures are recorded here, not thrown (they do not change ok). */
  teardown: Omit<TeardownRecord, 'ms'>;
}

export interface VerifyNatOptions {
  onStep?: (step: string) => void;
  /** Runs once the lab is built, before discovery: lets a test tamper with a router to prove mismatches are caught. */
  afterUp?: (lab: StartedLab) => Promise<void>;
  /** Aborting it tears the lab down and makes verifyNat reject with an AbortError (LabError code "aborted"). */
  signal?: AbortSignal;
}

export async function verifyNat(backend: Backend, topology: Topology, opts: VerifyNatOptions = {}): Promise<VerifyNatResult> {
  const session = LabSession.open(backend, { signal: opts.signal, what: `verify-nat of ${topology.name}` });
  let failure: unknown = null;
  let verdicts: HostVerdict[] = [];
  try {
    verdicts = await discoverEveryHost(session, topology, opts.onStep ?? (() => {}), opts.afterUp);
  } catch (err) {
    failure = err;
  }
  const { ok, failures } = await session.close();
  if (failure) throw failure;
  return { topology: topology.name, backend: backend.name, labId: session.labId, hosts: verdicts, ok: verdicts.every((v) => v.match), teardown: { ok, failures } };
}

async function discoverEveryHost(session: LabSession, topology: Topology, onStep: (step: string) => void, afterUp: VerifyNatOptions['afterUp']): Promise<HostVerdict[]> {
  onStep(`building ${topology.name}`);
  const lab = await session.up(topology);
  await session.step(afterUp?.(lab) ?? Promise.resolve());
  onStep(`lab ${lab.id}: starting coturn on two public addresses`);
  const coturn = await session.step(startCoturn(lab, { addresses: topology.services.addresses, realm: 'lab' }));
  session.defer('stop coturn', () => coturn.stop());
  const hosts = peerHosts(topology);
  onStep(`running turnutils_natdiscovery from ${hosts.map((h) => h.name).join(', ')}`);
  return session.step(Promise.all(hosts.map((h) => verdictFor(lab, topology, h))));
}

async function verdictFor(lab: StartedLab, topology: Topology, h: HostNode): Promise<HostVerdict> {
  const runs = await Promise.all(natdiscoveryRuns(topology.services.addresses[0], h.iface.addresses[0]).map((argv) => lab.exec(h.name, argv, { check: false, timeoutMs: 30_000 })));
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
}
