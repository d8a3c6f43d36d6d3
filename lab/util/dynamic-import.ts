/**
 * import() for modules the bundles load at run time (dockerode, playwright-core, the KVS SDK, a
 * config file). Node 20 cannot run a dynamic import() in code compiled from a V8 code cache
 * (bin/code-cache.cjs: vm.Script with cachedData has no module loader without
 * --experimental-vm-modules), so that hook puts an import() compiled by Node itself on globalThis
 * under IMPORT_HOOK, and this calls it. Without the hook (the ES module bundles, tests) it is plain
 * import(). Specifiers are bare package names or absolute file URLs: they resolve the same from
 * bin/ as from dist/.
 */
export const IMPORT_HOOK = Symbol.for('webrtc-lab.import');

type Importer = (specifier: string) => Promise<unknown>;

// The one import() the build allows in a cached bundle (bin/build.mjs): never reached there, the hook is set.
const nativeImport: Importer = (specifier) => import(specifier);

export function dynamicImport<T>(specifier: string): Promise<T> {
  const hook = (globalThis as { [IMPORT_HOOK]?: Importer })[IMPORT_HOOK];
  return (hook ?? nativeImport)(specifier) as Promise<T>;
}
