import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import { packageBuild } from '../../tsup.shared';

/** In the browser build, modules with a `.browser.ts` twin (bundle, backend) resolve to it. */
const browserTwins: Plugin = {
  name: 'browser-twins',
  setup(build) {
    build.onResolve({ filter: /^\.\/(bundle|backend)$/ }, (args) => ({
      path: fileURLToPath(new URL(`${args.path}.browser.ts`, `file://${args.resolveDir}/`)),
    }));
  },
};

export default [
  // Keeps dist/browser, which the second build writes at the same time.
  packageBuild(['src/index.ts', 'src/config.ts', 'src/layers.ts'], { clean: ['!browser/**'] }),
  packageBuild(['src/browser.ts'], {
    outDir: 'dist/browser',
    format: ['esm'],
    platform: 'browser',
    target: 'es2022',
    shims: false,
    esbuildPlugins: [browserTwins],
  }),
];
