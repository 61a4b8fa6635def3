import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(`./packages/${path}`, import.meta.url));

/**
 * Tests import sibling packages by their public names; these aliases point those names at
 * `src/` so tests run without a build (the trpc approach). Longer subpaths come first.
 */
export const workspaceAliases = [
  { find: /^@lstmkit\/preprocess\/node$/, replacement: src('preprocess/src/node.ts') },
  { find: /^@lstmkit\/preprocess$/, replacement: src('preprocess/src/index.ts') },
  { find: /^@lstmkit\/model\/layers$/, replacement: src('model/src/layers.ts') },
  { find: /^@lstmkit\/model\/browser$/, replacement: src('model/src/browser.ts') },
  { find: /^@lstmkit\/model$/, replacement: src('model/src/index.ts') },
  { find: /^@lstmkit\/trainer$/, replacement: src('trainer/src/index.ts') },
  { find: /^@lstmkit\/server$/, replacement: src('server/src/index.ts') },
];

export const packageTestConfig = defineConfig({
  resolve: { alias: workspaceAliases },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
