/**
 * Everything the lab runs on its internet for a scenario: coturn (STUN, TURN over UDP/TCP/TLS with
 * TURN REST credentials, TLS also on 443) and the services process (signaling + ICE config).
 */
import { randomBytes } from 'node:crypto';
import type { LabProcess, StartedLab } from '../backends/backend.js';
import type { TurnSettings } from '../model/scenario.js';
import type { Topology } from '../model/topology.js';
import { nodeBundleArgv } from '../util/paths.js';
import type { Certificate } from './certificate.js';
import { STUN_PORT, TLS_PORT, startCoturn, type StartedCoturn } from './coturn.js';
import { signJoinToken } from './credentials.js';
import type { ServicesConfig } from './services-main.js';
import type { LineLog } from '../util/line-log.js';
import { BoundedLineLog } from './bounded-line-log.js';
import { spawnReadyProcess } from './ready-process.js';
import { mqttUrls, startMqttBroker, type StartedMqttBroker } from './mqtt-broker.js';
import { MQTT_HOSTNAME } from '../network/dns-names.js';
import { DNS_LOG_PREFIX } from '../network/dns-process.js';
import type { DnsServerSpec } from '../network/dns-server.js';

export const SERVICES_PORT = 18080;
/**
 * Port 443 is the one locked-down networks let out, so everything is offered there too, as real
 * deployments do: TURN over TLS on the first services address, signaling and the ICE-config
 * endpoint on the second (coturn answers STUN/TURN on both).
 */
export const TLS_ALT_PORT = 443;
const CREDENTIAL_TTL_S = 300;
const READY_TIMEOUT_MS = 10_000;

/** Where peers find the services, and the secrets behind their credentials: known before anything starts. */
export interface ServicesPlan {
  signalingUrl: string;
  iceConfigUrl: string;
  rooms: Record<string, string[]>;
  tokenSecret: string;
  turnSecret: string;
  /** The scenario's static TURN users, plus the lab's own one (coturn then takes no REST credentials); empty: REST only. */
  turnUsers: { username: string; password: string }[];
  /** A join token for one peer of one room. */
  tokenFor(room: string, peer: string): string;
  /** `signaling: mqtt`: the broker's URLs (by the lab's name for it); null: no broker. */
  mqtt: { tcp: string; ws: string } | null;
}

export function planServices(topology: Topology, rooms: Record<string, string[]>, turnUsers: { username: string; password: string }[] = [], opts: { mqtt?: boolean } = {}): ServicesPlan {
  const web = topology.services.addresses[1];
  const tokenSecret = randomBytes(16).toString('hex');
  const turnSecret = randomBytes(16).toString('hex');
  return {
    signalingUrl: `ws://${web}:${TLS_ALT_PORT}/signaling`,
    iceConfigUrl: `http://${web}:${TLS_ALT_PORT}/ice-config`,
    rooms,
    tokenSecret,
    turnSecret,
    turnUsers: turnUsers.length ? [{ username: `lab-${turnSecret.slice(0, 8)}`, password: turnSecret }, ...turnUsers] : [],
    tokenFor: (room, peer) => signJoinToken(tokenSecret, room, peer, 600),
    mqtt: opts.mqtt ? mqttUrls(MQTT_HOSTNAME) : null,
  };
}

export interface ServicesProcess {
  process: LabProcess;
  log: LineLog;
  /** Resolves once it listens; rejects if it dies first or takes too long from this call on. */
  whenReady(): Promise<void>;
}

/** The services' own lines of the process's output: the lab DNS's (when it serves it) go to their own log. */
class ServicesLog extends BoundedLineLog {
  override add(line: string): void {
    if (!line.startsWith(DNS_LOG_PREFIX)) super.add(line);
  }
}

/**
 * Starts the signaling + ICE-config process, and with `dns` the lab's resolver in it
 * (lab/network/dns-process.ts labDnsIn follows that); it can start before the network is configured.
 */
export function spawnServices(lab: StartedLab, plan: ServicesPlan, dns?: DnsServerSpec): ServicesProcess {
  const config: ServicesConfig = {
    port: SERVICES_PORT,
    rooms: plan.rooms,
    tokenSecret: plan.tokenSecret,
    turnSecret: plan.turnSecret,
    turnHost: lab.topology.services.addresses[0],
    stunPort: STUN_PORT,
    tlsPort: TLS_ALT_PORT,
    ttlSeconds: CREDENTIAL_TTL_S,
    ...(plan.turnUsers.length ? { turnStaticUser: plan.turnUsers[0] } : {}),
    ...(dns ? { dns } : {}),
    holdIceConfigForTurnMs: READY_TIMEOUT_MS,
  };
  return spawnReadyProcess(lab, nodeBundleArgv('services'), { LAB_SERVICES_CONFIG: JSON.stringify(config) }, 'the services process', new ServicesLog(), READY_TIMEOUT_MS, 'pipe');
}

export interface StartedServices {
  /** The coturn that runs now (a `start: turn` event replaces it). */
  readonly coturn: StartedCoturn;
  /** Every coturn log line of the run, across restarts. */
  coturnLines(): string[];
  /** Scenario events `stop: turn` / `start: turn`: coturn stops (its allocations die with it), or starts again with the same settings. */
  turn: { stop(): Promise<void>; start(): Promise<void> };
  services: ServicesProcess;
  /** The MQTT broker, when the plan has one. */
  mqtt: StartedMqttBroker | null;
  stop(): Promise<void>;
}

/** Once the network is up: coturn, the port-443 redirects, the services process and (mqtt) the broker ready. */
export async function startLabServices(lab: StartedLab, plan: ServicesPlan, cert: Certificate, services = spawnServices(lab, plan), turn: TurnSettings = { users: [] }): Promise<StartedServices> {
  // The broker is stopped with the rest, also when something else failed to start.
  const broker = plan.mqtt ? startMqttBroker(lab, { address: lab.topology.services.addresses[1], name: MQTT_HOSTNAME }) : Promise.resolve(null);
  const stopServices = () => Promise.all([services.process.stop(1000), broker.then((b) => b?.stop(), () => {})]);
  try {
    const coturnSpec = { addresses: lab.topology.services.addresses, relayAddresses: [lab.topology.services.addresses[1]], realm: 'lab', authSecret: plan.turnSecret, users: plan.turnUsers, tls: cert, maxAllocateLifetimeS: turn.maxAllocationLifetimeS };
    // The services process holds ICE configs until coturn and the port-443 redirect are up.
    const turnUp = Promise.all([
      // Relayed traffic leaves from the second address, not the one peers use for STUN: otherwise a
      // NAT that filters by address alone lets relayed checks in at once, because the peer already
      // talked to that address, and a relay pair wins a race a direct pair should have won.
      startCoturn(lab, coturnSpec),
      redirectPort443(lab),
    ]).then(([coturn]) => (services.process.stdin?.write('turn-ready\n'), coturn));
    const [first, , mqtt] = await Promise.all([turnUp, services.whenReady(), broker]);
    const runs: StartedCoturn[] = [first];
    let current: StartedCoturn | null = first;
    const turnControl = {
      stop: async () => {
        const c = current;
        current = null;
        await c?.stop();
      },
      start: async () => {
        if (current) return;
        const c = await startCoturn(lab, coturnSpec);
        runs.push(c);
        current = c;
      },
    };
    return {
      get coturn() {
        return current ?? runs[runs.length - 1];
      },
      coturnLines: () => runs.flatMap((r) => r.log.lines.map((l) => l.line)),
      turn: turnControl,
      services,
      mqtt,
      stop: async () => void (await Promise.all([current?.stop(), stopServices()])),
    };
  } catch (err) {
    await stopServices();
    throw err;
  }
}

async function redirectPort443(lab: StartedLab): Promise<void> {
  const [turn, web] = lab.topology.services.addresses;
  const ruleset = [
    'table ip lab_services {',
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    `    ip daddr ${turn} tcp dport ${TLS_ALT_PORT} redirect to :${TLS_PORT} comment "TURN over TLS"`,
    // The KVS SDKs hard-code stun:stun.kinesisvideo.<region>.amazonaws.com:443 (UDP); the lab DNS maps it here.
    `    ip daddr ${turn} udp dport ${TLS_ALT_PORT} redirect to :${STUN_PORT} comment "STUN on 443, as KVS offers it"`,
    `    ip daddr ${web} tcp dport ${TLS_ALT_PORT} redirect to :${SERVICES_PORT} comment "signaling and ICE config"`,
    '  }',
    '}',
  ].join('\n');
  await lab.exec(lab.topology.services.host, ['nft', '-f', '-'], { input: ruleset + '\n', purpose: `offer the services on port ${TLS_ALT_PORT}` });
}
