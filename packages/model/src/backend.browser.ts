import { backendSelector, type BackendInfo as Info, patchKernel } from './backend-core';
import { wasmGatherKernel } from './gather-rows';
import { segmentSumKernels } from './unsorted-segment-sum';

/**
 * Backend setup in browsers and workers (Node: backend.ts). The fused LSTM kernel is plain
 * WebAssembly and runs on any of them; 'wasm' also needs the tfjs-backend-wasm binaries, which
 * a bundler serves from its own URLs (`wasmPaths`).
 */

export type BackendName = 'wasm' | 'webgl' | 'cpu';
export type BackendInfo = Info<BackendName>;
export interface InitBackendOptions {
  /** Default 'auto': wasm, else webgl, else cpu. */
  backend?: BackendName | 'auto';
  /** Receives the one line saying which backend runs. Default: console.info. */
  log?: (line: string) => void;
  /**
   * Where the tfjs-backend-wasm `.wasm` files are: a URL prefix ending in '/', or a map from
   * file name (tfjs-backend-wasm-simd.wasm, ...) to URL. Default: beside the script.
   */
  wasmPaths?: string | Record<string, string>;
}

let wasmPaths: InitBackendOptions['wasmPaths'];

const selector = backendSelector<BackendName>({
  names: ['wasm', 'webgl', 'cpu'],
  configured: () => undefined,
  async prepare(name) {
    if (name === 'wasm') {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      if (wasmPaths !== undefined) {
        wasm.setWasmPaths(wasmPaths as Parameters<typeof wasm.setWasmPaths>[0]);
      }
      patchKernel(segmentSumKernels.wasm);
      patchKernel(wasmGatherKernel());
    } else if (name === 'cpu') {
      patchKernel(segmentSumKernels.cpu);
    }
    return undefined;
  },
  hints: {
    wasm: 'Serve the tfjs-backend-wasm .wasm files and pass their URLs as wasmPaths, or use webgl.',
    webgl: 'This browser (or worker) has no WebGL; use wasm or cpu.',
    cpu: 'The cpu backend ships with @tensorflow/tfjs; check that it is bundled.',
  },
  defaultLog: (line) => console.info(line),
});

export function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  if (options.wasmPaths !== undefined) wasmPaths = options.wasmPaths;
  return selector.initBackend(options);
}

/** Used by loaders: keeps whatever the application initialised, else initialises the default. */
export const ensureBackend: () => Promise<BackendInfo> = selector.ensureBackend;
