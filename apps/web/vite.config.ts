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
    license: { fileName: 'licenses.md' },
  },
  // The worker's licence comments (500 kB of repeated Apache headers) go; the licences of every
  // bundled dependency are in licenses.md instead (build.license).
  worker: { format: 'es', rolldownOptions: { output: { minify: true, comments: { legal: false } } } },
});
