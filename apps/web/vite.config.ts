import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const slimTfjs = fileURLToPath(new URL('./src/tfjs.ts', import.meta.url));

// A static page: relative asset URLs so it works at any path (lstmkit serve's /, a file share).
export default defineConfig({
  base: './',
  resolve: { alias: [{ find: /^@tensorflow\/tfjs$/, replacement: slimTfjs }] },
  build: {
    target: 'es2022',
    // tfjs is one large module; the size is reported in the README instead of warned about.
    chunkSizeWarningLimit: 4096,
  },
  worker: { format: 'es' },
});
