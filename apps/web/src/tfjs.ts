/**
 * What the page needs of `@tensorflow/tfjs` (vite.config.ts points the name here): the union
 * package's own setup (gradients, chained ops) with core, layers and the cpu backend, plus our
 * wasm backend. The converter, tfjs-data and the WebGL backend, which nothing here uses, stay
 * out of the download.
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import { version_core } from '@tensorflow/tfjs-core';
import { version_layers } from '@tensorflow/tfjs-layers';

export * from '@tensorflow/tfjs-backend-cpu';
export * from '@tensorflow/tfjs-core';
export * from '@tensorflow/tfjs-layers';

export const version = {
  'tfjs-core': version_core,
  'tfjs-backend-cpu': version_cpu,
  'tfjs-layers': version_layers,
  tfjs: version_core,
};
