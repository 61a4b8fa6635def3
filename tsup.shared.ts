import { defineConfig, type Options } from 'tsup';

/**
 * The one build every package uses: ESM + CJS + .d.ts for Node 20, with code splitting so
 * entries share chunks (one copy of each class, so `instanceof` holds across entries) and
 * shims so `import.meta.url` also works in the CommonJS build.
 */
export function packageBuild(entry: string[], overrides: Options = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    splitting: true,
    shims: true,
    ...overrides,
  });
}
