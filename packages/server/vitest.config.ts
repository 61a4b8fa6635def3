import { defineConfig, mergeConfig } from 'vitest/config';
import { packageTestConfig } from '../../vitest.shared';

export default mergeConfig(
  packageTestConfig,
  defineConfig({ test: { globalSetup: ['src/__fixtures__/global-setup.ts'] } }),
);
