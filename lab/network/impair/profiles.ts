/**
 * Impairment profiles for `matrix --impair`: a named set of impairment fields (or a YAML file of
 * them), put on each peer's access link in every cell: the outside interface of the router nearest
 * the peer, or the peer's own interface when it has no router.
 */
import { existsSync } from 'node:fs';
import { LabError } from '../../model/errors.js';
import { impairmentFieldsSchema, impairmentSchema, type Impairment, type ImpairmentFields } from '../../model/impairment.js';
import { isFilePath } from '../../model/topology-file.js';
import { upstreamRouters, type Topology } from '../../model/topology.js';
import { readYaml, validateWith } from '../../model/validate.js';

export interface ImpairProfile {
  /** The profile's name, or the file it came from. */
  name: string;
  fields: ImpairmentFields;
}

const BUILT_IN: Record<string, object> = {
  /** A mobile network: 30 ms each way with a little jitter, 1% loss each way. */
  mobile: { delayMs: 30, jitterMs: 3, loss: 0.01 },
  /** 5% random loss each way. */
  lossy: { loss: 0.05 },
  /** Bursty loss: about 5% overall, in runs (Gilbert-Elliott, mean burst of 5 packets). */
  bursty: { burstLoss: { p: 0.0105, r: 0.2 } },
  /** A geostationary satellite hop: 300 ms each way. */
  satellite: { delayMs: 300 },
  /** A slow uplink: 1 Mbit/s each way with a short queue. */
  slow: { rateKbps: 1000, queue: 50 },
};

export const PROFILE_NAMES = Object.keys(BUILT_IN);

export function loadImpairProfile(nameOrFile: string): ImpairProfile {
  if (isFilePath(nameOrFile)) {
    if (!existsSync(nameOrFile)) throw new LabError('usage', `--impair: the profile file ${nameOrFile} does not exist`, `give a YAML file of impairment fields (delayMs, loss...) or a built-in profile: ${PROFILE_NAMES.join(', ')}`);
    return { name: nameOrFile, fields: validateWith(nameOrFile, impairmentFieldsSchema, readYaml(nameOrFile)) };
  }
  const fields = BUILT_IN[nameOrFile];
  if (!fields) throw new LabError('usage', `--impair: unknown profile "${nameOrFile}" (built in: ${PROFILE_NAMES.join(', ')})`, 'or give a path to a .yaml file of impairment fields');
  return { name: nameOrFile, fields: impairmentFieldsSchema.parse(fields) };
}

/** The profile on each peer host's access link. */
export function profileImpairments(profile: ImpairProfile, topology: Topology, hosts: string[]): Impairment[] {
  const links = new Map<string, { node: string; iface: string }>();
  for (const host of hosts) {
    const nearest = upstreamRouters(topology, host)[0];
    const where = nearest ? { node: nearest.name, iface: nearest.outside.name } : { node: host, iface: topology.hosts.find((h) => h.name === host)!.iface.name };
    links.set(`${where.node}/${where.iface}`, where);
  }
  return [...links.values()].map((where) => impairmentSchema.parse({ ...profile.fields, ...where }));
}
