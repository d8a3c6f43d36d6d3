import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function folderWith(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'lab-config-test-'));
  dirs.push(d);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
  return d;
}

describe('config files', () => {
  it('a JSON config: validated, paths made absolute against its folder', async () => {
    const d = folderWith({ 'webrtc-lab.config.json': JSON.stringify({ backend: 'docker', reportsDir: 'out/lab', reporters: [['list'], ['junit', { outputFile: 'junit.xml' }]], workers: 2, expect: 'gate.yaml' }) });
    const c = await loadConfig(join(d, 'webrtc-lab.config.json'));
    expect(c).toMatchObject({ backend: 'docker', reportsDir: join(d, 'out/lab'), workers: 2, expect: join(d, 'gate.yaml'), reporters: [['list'], ['junit', { outputFile: 'junit.xml' }]] });
  });

  it('errors name the file and the field', async () => {
    const d = folderWith({ 'webrtc-lab.config.json': JSON.stringify({ reporters: [['list'], ['junitt']], workers: 0, colour: true }) });
    const err = await loadConfig(join(d, 'webrtc-lab.config.json')).catch((e: Error) => e);
    const message = (err as Error).message;
    expect(message).toMatch(/webrtc-lab\.config\.json: reporters\[1\]\[0\]: expected one of "list"\|"json"\|"junit"\|"markdown"\|"html"\|"github"/);
    expect(message).toMatch(/webrtc-lab\.config\.json: workers: .*>=1/);
    expect(message).toMatch(/webrtc-lab\.config\.json: \(top level\): unknown field "colour"/);
  });

  it('a TypeScript config with defineConfig loads (esbuild transpiles it) and leaves nothing behind', async () => {
    const d = folderWith({
      // Type-only: the package-name import (`from 'webrtc-nat-lab'`) is tested where the package is installed.
      'webrtc-lab.config.ts': `import type { LabConfig } from 'webrtc-nat-lab';\nconst workers: number = 3;\nexport default { workers, repeat: 2 } satisfies LabConfig;\n`,
    });
    const c = await loadConfig(join(d, 'webrtc-lab.config.ts'));
    expect(c).toMatchObject({ workers: 3, repeat: 2 });
    expect(readdirSync(d)).toEqual(['webrtc-lab.config.ts']);
  });

  it('a JavaScript config without a default export is an error that says what to write', async () => {
    const d = folderWith({ 'webrtc-lab.config.mjs': 'export const workers = 2;\n' });
    await expect(loadConfig(join(d, 'webrtc-lab.config.mjs'))).rejects.toThrow(/has no default export/);
  });

  it('no config file: nothing configured; a --config that does not exist: an error', async () => {
    const prev = process.cwd();
    process.chdir(folderWith({}));
    try {
      expect(await loadConfig()).toEqual({ file: null });
      await expect(loadConfig('nope.json')).rejects.toThrow('config file nope.json does not exist');
    } finally {
      process.chdir(prev);
    }
  });
});
