/**
 * Matrix cells need "the viewer behind preset X, the camera behind preset Y": this takes the path
 * from host `a` to the internet out of X's topology file and the path from host `b` out of Y's,
 * and joins them on one internet. Pure; names that would collide get a suffix.
 */
import { statSync } from 'node:fs';
import { readYaml } from '../model/validate.js';
import { resolveTopologyPath, topologyFileSchema, topologyFromData, type TopologyFile } from '../model/topology-file.js';
import type { Topology } from '../model/topology.js';
import { INTERNET } from '../model/topology.js';

/** Preset topology files put the viewer-side host at `a` and the camera-side host at `b`. */
export const VIEWER_SIDE_HOST = 'a';
export const CAMERA_SIDE_HOST = 'b';

export const MATRIX_PRESETS = ['open', 'full-cone', 'restricted-cone', 'port-restricted-cone', 'symmetric', 'firewalled', 'cgnat', 'one-to-one'];

export interface ComposedCell {
  topology: Topology;
  viewerHost: string;
  cameraHost: string;
}

/** Parsed preset files by path, kept while the file's mtime and size stay (a matrix reads each preset for every cell). */
const presetCache = new Map<string, { stamp: string; spec: TopologyFile }>();

function readPreset(name: string): TopologyFile {
  const file = resolveTopologyPath(name);
  const st = statSync(file);
  const stamp = `${st.mtimeMs}:${st.size}`;
  let hit = presetCache.get(file);
  if (hit?.stamp !== stamp) presetCache.set(file, (hit = { stamp, spec: topologyFileSchema.parse(readYaml(file)) }));
  // Callers build on the spec (joinSides, rename): each gets its own copy.
  return structuredClone(hit.spec);
}

/** The segments, routers and host on the way from one host to the internet. */
function pathOf(spec: TopologyFile, host: string): TopologyFile {
  const h = spec.hosts[host];
  if (!h) throw new Error(`topology has no host "${host}"`);
  const out: TopologyFile = { name: spec.name, description: spec.description, segments: {}, routers: {}, hosts: { [host]: h }, impairments: [] };
  let segment = h.segment;
  for (;;) {
    out.segments[segment] = spec.segments[segment];
    if (segment === INTERNET) break;
    const entry = Object.entries(spec.routers).find(([, r]) => (typeof r.inside === 'string' ? [r.inside] : r.inside).includes(segment));
    if (!entry) break;
    const [name, router] = entry;
    // Only the LAN on this path stays inside the router.
    out.routers[name] = { ...router, inside: segment };
    segment = router.outside;
  }
  // The file's link impairments go with the nodes they are on.
  out.impairments = spec.impairments.filter((i) => i.node in out.routers || i.node in out.hosts);
  return out;
}

function rename(spec: TopologyFile, taken: Set<string>, suffix: string): TopologyFile {
  const map = new Map<string, string>();
  const fresh = (n: string) => {
    if (n === INTERNET || !taken.has(n)) return n;
    let candidate = `${n}${suffix}`.slice(0, 12);
    for (let i = 2; taken.has(candidate); i++) candidate = `${n.slice(0, 10)}${suffix}${i}`.slice(0, 12);
    map.set(n, candidate);
    return candidate;
  };
  for (const n of [...Object.keys(spec.segments), ...Object.keys(spec.routers), ...Object.keys(spec.hosts)]) fresh(n);
  const r = (n: string) => map.get(n) ?? n;
  return {
    ...spec,
    segments: Object.fromEntries(Object.entries(spec.segments).map(([k, v]) => [r(k), v])),
    routers: Object.fromEntries(Object.entries(spec.routers).map(([k, v]) => [r(k), { ...v, outside: r(v.outside), inside: typeof v.inside === 'string' ? r(v.inside) : v.inside.map(r) }])),
    hosts: Object.fromEntries(Object.entries(spec.hosts).map(([k, v]) => [r(k), { ...v, segment: r(v.segment) }])),
    impairments: spec.impairments.map((i) => ({ ...i, node: r(i.node) })),
  };
}

export function composeCell(viewerPreset: string, cameraPreset: string): ComposedCell {
  const name = `${viewerPreset}-x-${cameraPreset}`;
  if (viewerPreset === cameraPreset) {
    const spec = readPreset(viewerPreset);
    return { topology: topologyFromData({ ...spec, name, description: `both sides: ${viewerPreset}` }, `matrix cell ${name}`), viewerHost: VIEWER_SIDE_HOST, cameraHost: CAMERA_SIDE_HOST };
  }
  const { spec, cameraHost } = joinSides(readPreset(viewerPreset), VIEWER_SIDE_HOST, readPreset(cameraPreset), CAMERA_SIDE_HOST);
  spec.name = name;
  spec.description = `viewer behind ${viewerPreset}, camera behind ${cameraPreset}`;
  return { topology: topologyFromData(spec, `matrix cell ${name}`), viewerHost: VIEWER_SIDE_HOST, cameraHost };
}

/** One topology from the viewer host's path in one file and the camera host's path in another. */
export function joinSides(viewerFile: TopologyFile, viewerHost: string, cameraFile: TopologyFile, cameraHost: string): { spec: TopologyFile; cameraHost: string } {
  const viewerSide = pathOf(viewerFile, viewerHost);
  const taken = new Set([...Object.keys(viewerSide.segments), ...Object.keys(viewerSide.routers), ...Object.keys(viewerSide.hosts)]);
  const cameraSide = rename(pathOf(cameraFile, cameraHost), taken, 'c');
  const spec: TopologyFile = {
    name: viewerFile.name,
    description: '',
    segments: { ...viewerSide.segments, ...cameraSide.segments, [INTERNET]: viewerSide.segments[INTERNET] },
    routers: { ...viewerSide.routers, ...cameraSide.routers },
    hosts: { ...viewerSide.hosts, ...cameraSide.hosts },
    impairments: [...viewerSide.impairments, ...cameraSide.impairments],
  };
  return { spec, cameraHost: Object.keys(cameraSide.hosts)[0] };
}
