import { defineConfig } from 'vite';

// A static page: relative asset URLs so it works at any path (lstmkit serve's /, a file share).
export default defineConfig({
  base: './',
  build: {
    target: 'es2022',
    // tfjs is one large module; the size is reported in the README instead of warned about.
    chunkSizeWarningLimit: 4096,
    reportCompressedSize: true,
  },
  worker: { format: 'es' },
});
