import { defineConfig } from 'tsup';

export default defineConfig({
  // cluster-worker is the entry node:cluster forks; start-server finds it beside itself.
  entry: ['src/index.ts', 'src/cluster-worker.ts'],
  format: ['esm', 'cjs'],
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
  target: 'node20',
  splitting: true,
  // import.meta.url (to locate cluster-worker.js) in the CommonJS build.
  shims: true,
});
