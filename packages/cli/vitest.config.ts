import { defineConfig, mergeConfig } from 'vitest/config';
import { packageTestConfig } from '../../vitest.shared';

// The end-to-end tests spawn the built bin (dist/bin.js); the global setup builds it (and the
// packages it depends on) through turbo first, which is a cache hit when nothing changed.
export default mergeConfig(
  packageTestConfig,
  defineConfig({ test: { globalSetup: ['./vitest.global-setup.ts'] } }),
);
