import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ["src/index.ts","src/node.ts"],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // One shared chunk, so both entries use the same LstmkitError class (instanceof works).
  splitting: true,
});
