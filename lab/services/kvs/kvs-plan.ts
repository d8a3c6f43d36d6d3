/**
 * What a `signaling: kvs` run adds to its scenario: the emulator as one more service on the
 * services host (its own internet address, port 443), the AWS names in the lab DNS (so the CA's
 * certificate covers them), STUN's hard-coded name mapped to coturn, and the peers' settings.
 */
import { DEFAULT_KVS, type KvsSettings, type Scenario, type ServiceSpec } from '../../model/scenario.js';
import { SERVICES_HOST } from '../../model/topology.js';
import { bundlePath, projectPath } from '../../util/paths.js';
import type { ServicesPlan } from '../lab-services.js';
import type { KvsEmulatorConfig } from './emulator.js';

export const KVS_SERVICE = 'kvs';
const CREDENTIAL_TTL_S = 300;

export const controlPlaneHost = (region: string) => `kinesisvideo.${region}.amazonaws.com`;
/** Real endpoints look like this (`v-<hex>.kinesisvideo...`): one name for WSS and HTTPS, no port. */
export const signalingHost = (region: string) => `v-1ab0c0de.kinesisvideo.${region}.amazonaws.com`;
export const stunHost = (region: string) => `stun.kinesisvideo.${region}.amazonaws.com`;

/** The scenario as the run executes it: with the emulator service and its names when it signals over KVS. */
export function withKvsEmulator(scenario: Scenario, plan: ServicesPlan, turnAddress: string): Scenario {
  if (scenario.signaling !== 'kvs') return scenario;
  const kvs = scenario.kvs ?? DEFAULT_KVS;
  const config: KvsEmulatorConfig = {
    region: kvs.region,
    channels: kvs.channels,
    credentials: [kvs.credentials],
    signalingHost: signalingHost(kvs.region),
    ice: { host: turnAddress, stunPort: 3478, tlsPort: 443, turnSecret: plan.turnSecret, ttlSeconds: CREDENTIAL_TTL_S, ...(plan.turnUsers.length ? { staticUser: plan.turnUsers[0] } : {}) },
  };
  const service: ServiceSpec = { name: KVS_SERVICE, command: [process.execPath, bundlePath('kvs')], cwd: projectPath(), host: SERVICES_HOST, port: 443, ready: { kind: 'port' }, env: { LAB_KVS_CONFIG: JSON.stringify(config) }, readyTimeoutMs: 10_000 };
  const dns = { [controlPlaneHost(kvs.region)]: KVS_SERVICE, [signalingHost(kvs.region)]: KVS_SERVICE, [stunHost(kvs.region)]: turnAddress };
  return { ...scenario, services: [...(scenario.services ?? []), service], dns: { ...dns, ...scenario.dns } };
}

/** What the lab's KVS peers need besides the common settings (endpoints come from the real names). */
export function kvsPeerEnv(kvs: KvsSettings): Record<string, string> {
  return { LAB_KVS_REGION: kvs.region, LAB_KVS_CHANNEL: kvs.channels[0], LAB_KVS_ACCESS_KEY_ID: kvs.credentials.accessKeyId, LAB_KVS_SECRET_ACCESS_KEY: kvs.credentials.secretAccessKey };
}
