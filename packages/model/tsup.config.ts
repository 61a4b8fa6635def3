import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ["src/index.ts", "src/layers.ts"],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  splitting: true,
  // import.meta.url (optional tfjs-node lookup) in the CommonJS build.
  shims: true,
});
