import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { backendSelector, firstLine, type BackendInfo as Info, patchKernel } from './backend-core';
import { wasmGatherKernel } from './gather-rows';
import { segmentSumKernels } from './unsorted-segment-sum';

/**
 * Every piece of TensorFlow.js setup in Node lives here (browsers: backend.browser.ts): backend
 * choice, kernel patches. Other modules only use `tf` after `initBackend` has run.
 */

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export type BackendInfo = Info<BackendName>;
export interface InitBackendOptions {
  /** Default: `$LSTMKIT_BACKEND`, else 'auto' (tfjs-node, else wasm, else cpu). */
  backend?: BackendName | 'auto';
  /** Receives the one line saying which backend runs. Default: a line on stderr. */
  log?: (line: string) => void;
}

const ENV_VAR = 'LSTMKIT_BACKEND';

const selector = backendSelector<BackendName>({
  names: ['tensorflow', 'wasm', 'cpu'],
  configured() {
    const value = process.env[ENV_VAR]?.trim();
    return value ? { value, source: `${ENV_VAR}=${value}` } : undefined;
  },
  async prepare(name) {
    if (name === 'tensorflow') return loadTfjsNode();
    if (name === 'wasm') {
      await import('@tensorflow/tfjs-backend-wasm');
      patchKernel(segmentSumKernels.wasm);
      patchKernel(wasmGatherKernel());
    } else {
      patchKernel(segmentSumKernels.cpu);
    }
    return undefined;
  },
  hints: {
    tensorflow:
      'Install @tensorflow/tfjs-node (npm i @tensorflow/tfjs-node) with its native build, or use wasm.',
    wasm: 'Install @tensorflow/tfjs-backend-wasm (same version as @tensorflow/tfjs), or use cpu.',
    cpu: 'The cpu backend ships with @tensorflow/tfjs; check that it is installed once.',
  },
  defaultLog(line) {
    process.stderr.write(`${line}\n`);
  },
});

export const initBackend: (options?: InitBackendOptions) => Promise<BackendInfo> =
  selector.initBackend;

/** Used by loaders: keeps whatever the application initialised, else initialises the default. */
export const ensureBackend: () => Promise<BackendInfo> = selector.ensureBackend;

/** Returns why tfjs-node cannot be used, or undefined once its backend is registered. */
function loadTfjsNode(): string | undefined {
  if (tf.findBackendFactory('tensorflow') !== null) return undefined;
  // tfjs-node is optional and never our dependency: look for it beside us and in the app.
  const bases = [import.meta.url, join(process.cwd(), 'noop.js')];
  let why = 'not installed';
  for (const base of bases) {
    try {
      createRequire(base)('@tensorflow/tfjs-node');
      if (tf.findBackendFactory('tensorflow') !== null) return undefined;
      why = 'loaded, but registered no tensorflow backend with this @tensorflow/tfjs';
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (String(error).includes('tfjs_binding')) why = 'its native addon is not built';
      else if (code !== 'MODULE_NOT_FOUND' || !String(error).includes('@tensorflow/tfjs-node')) {
        why = firstLine(error);
      }
    }
  }
  return why;
}
