/**
 * The lab the impairment measurements run in (`npm run bench -- impair` and the impairments test):
 * one port-restricted router (nata) between host a and host b on the internet; net-probe
 * (lab/tools/net-probe.ts) serves on b.
 */
import { topologyFromData } from '../../model/topology-file.js';
import { projectPath } from '../../util/paths.js';

export const PROBE_TOPOLOGY = topologyFromData(
  {
    segments: { internet: { subnet: '203.0.113.0/24' }, lana: { subnet: '192.168.1.0/24' } },
    routers: { nata: { outside: 'internet', inside: 'lana', nat: 'port-restricted-cone' } },
    hosts: { a: { segment: 'lana' }, b: { segment: 'internet' } },
  },
  'generated',
);
export const PROBE_PORT = 9000;
export const NET_PROBE = projectPath('dist', 'net-probe.mjs');
