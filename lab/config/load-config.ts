/** Finds and loads webrtc-lab.config.{ts,mts,js,mjs,json}: validated, paths made absolute. */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LabError } from '../model/errors.js';
import { displayName, validateWith } from '../model/validate.js';
import { labConfigSchema, type LabConfig } from './config.js';
import { dynamicImport } from '../util/dynamic-import.js';

export const CONFIG_FILES = ['webrtc-lab.config.ts', 'webrtc-lab.config.mts', 'webrtc-lab.config.js', 'webrtc-lab.config.mjs', 'webrtc-lab.config.json'];

/** A config as the lab uses it: reportsDir and an expect file made absolute; `file` null when there is none. */
export type ResolvedConfig = LabConfig & { file: string | null };

export function findConfigFile(dir: string = process.cwd()): string | null {
  return CONFIG_FILES.map((f) => join(dir, f)).find((f) => existsSync(f)) ?? null;
}

/** `explicit`: a --config path; else the config file of the current folder, if any. */
export async function loadConfig(explicit?: string): Promise<ResolvedConfig> {
  const file = explicit ? resolve(explicit) : findConfigFile();
  if (!file) return { file: null };
  if (!existsSync(file)) throw new LabError('not-found', `config file ${explicit} does not exist`);
  return configFromData(await readConfigFile(file), file);
}

export function configFromData(data: unknown, file: string): ResolvedConfig {
  const config = validateWith(file, labConfigSchema, data);
  const dir = dirname(file);
  return {
    ...(config as LabConfig),
    file,
    reportsDir: config.reportsDir === undefined ? undefined : resolve(dir, config.reportsDir),
    expect: typeof config.expect === 'string' ? resolve(dir, config.expect) : config.expect,
  };
}

async function readConfigFile(file: string): Promise<unknown> {
  if (file.endsWith('.json')) {
    try {
      return JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new LabError('invalid-file', `${displayName(file)}: not valid JSON: ${(err as Error).message}`);
    }
  }
  const mod = file.endsWith('.ts') || file.endsWith('.mts') ? await importTypeScript(file) : await importModule(pathToFileURL(file).href, file);
  if (mod.default === undefined) throw new LabError('invalid-file', `${displayName(file)}: has no default export`, 'end it with `export default defineConfig({ ... })`');
  return mod.default;
}

async function importModule(url: string, file: string): Promise<{ default?: unknown }> {
  try {
    return await dynamicImport<{ default?: unknown }>(url);
  } catch (err) {
    throw new LabError('invalid-file', `${displayName(file)}: cannot load: ${(err as Error).message.split('\n')[0]}`);
  }
}

/**
 * Node 20 cannot import TypeScript, so esbuild (a dependency of the lab) transpiles the config
 * next to itself, where its own imports resolve as they would for the .ts file, then removes it.
 */
async function importTypeScript(file: string): Promise<{ default?: unknown }> {
  const esbuild = await dynamicImport<typeof import('esbuild')>('esbuild');
  let code: string;
  try {
    const out = await esbuild.build({ entryPoints: [file], bundle: true, packages: 'external', platform: 'node', format: 'esm', target: 'node20', write: false, logLevel: 'silent' });
    code = out.outputFiles[0].text;
  } catch (err) {
    throw new LabError('invalid-file', `${displayName(file)}: does not compile: ${(err as Error).message.split('\n').slice(0, 3).join(' ')}`);
  }
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${Date.now()}.mjs`);
  writeFileSync(tmp, code);
  try {
    return await importModule(pathToFileURL(tmp).href, file);
  } finally {
    rmSync(tmp, { force: true });
  }
}
