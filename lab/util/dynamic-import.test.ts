import { describe, expect, it } from 'vitest';
import { dynamicImportsIn } from '../../bin/build.mjs';
import { IMPORT_HOOK, dynamicImport } from './dynamic-import.js';

describe('dynamicImport', () => {
  it('imports by itself where no hook is installed', async () => {
    const path = await dynamicImport<typeof import('node:path')>('node:path');
    expect(path.join('a', 'b')).toBe('a/b');
  });

  it('goes through the hook bin/code-cache.cjs installs', async () => {
    const asked: string[] = [];
    const g = globalThis as { [IMPORT_HOOK]?: (s: string) => Promise<unknown> };
    g[IMPORT_HOOK] = async (s) => (asked.push(s), { via: 'hook' });
    try {
      expect(await dynamicImport('some-package')).toEqual({ via: 'hook' });
      expect(asked).toEqual(['some-package']);
    } finally {
      delete g[IMPORT_HOOK];
    }
  });
});

describe('dynamicImportsIn (the build refuses import() in a cached bundle)', () => {
  it('finds a plain import() call', () => {
    expect(dynamicImportsIn("const a = 1;\n  const m = await import('dockerode');\n")).toEqual(["const m = await import('dockerode');"]);
    expect(dynamicImportsIn('return import(url2);')).toEqual(['return import(url2);']);
  });

  it('lets through methods, mentions and the helper\'s own fallback', () => {
    const code = ['this.import(param);', '  import(data) {', '// an inline `import()` of an ESM path', ' * see import() below', "const s = 'import(x)';", 'reimport(x);', 'var nativeImport = (specifier) => import(specifier);'].join('\n');
    expect(dynamicImportsIn(code)).toEqual([]);
  });
});
