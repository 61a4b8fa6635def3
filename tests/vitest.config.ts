import { defineConfig } from 'vitest/config';

// No aliases here on purpose: these tests exercise the built and packed packages, as users get them.
export default defineConfig({
  test: {
    include: ['*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
