import { createRequire } from 'node:module';
import type { KernelExports, KernelFunction, KernelMemory, KernelThreads } from './lstm-kernel';
import { kernelFunctions, parallelFunctions } from './lstm-kernel';

/**
 * The optional native kernel (packages/kernel-native: C with AVX2/FMA, prebuilt per platform and
 * an optionalDependency of this package): the wasm kernel's functions with the same arguments
 * and memory layout, on an ArrayBuffer instead of a WebAssembly.Memory, and its own threads
 * (pthreads), so a call spreads over the cores without worker_threads round trips.
 */
interface NativeAddon
  extends Record<KernelFunction, (memory: ArrayBuffer, ...args: number[]) => number> {
  /** The instruction set the addon picked at load: 'avx512', 'avx2' (AVX2 + FMA) or 'generic'. */
  isa: string;
  run(fn: number, memory: ArrayBuffer, total: number, chunk: number, ...args: number[]): void;
  setThreads(count: number): number;
}

/** Its name per platform: only linux-x64 (glibc) is built so far. */
const PACKAGES: Record<string, string> = { 'linux-x64': '@lstmkit/kernel-linux-x64-gnu' };

export interface NativeKernel {
  isa: string;
  /** Starts `count - 1` native worker threads (replacing any) and returns the kernel on them. */
  threads(count: number): KernelThreads;
  /** Stops the worker threads (the kernel then runs on the calling thread only). */
  stopThreads(): void;
  /** A kernel instance with its own memory (the optimizer's). */
  instantiate(): KernelExports;
}

let loaded: { kernel: NativeKernel } | { why: string } | undefined;

/** The native kernel, or why there is none on this machine (loaded once). */
export function loadNativeKernel(): { kernel: NativeKernel } | { why: string } {
  loaded ??= load();
  return loaded;
}

function load(): { kernel: NativeKernel } | { why: string } {
  const name = PACKAGES[`${process.platform}-${process.arch}`];
  if (name === undefined)
    return { why: `no native kernel for ${process.platform}-${process.arch}` };
  let addon: NativeAddon;
  try {
    addon = createRequire(import.meta.url)(name) as NativeAddon;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'MODULE_NOT_FOUND' && String(error).includes(`'${name}'`))
      return { why: `${name} not installed` };
    return { why: String((error as Error).message ?? error).split('\n')[0]! };
  }
  return {
    kernel: {
      isa: addon.isa,
      instantiate: () => exportsOn(addon, new GrowableMemory()),
      stopThreads: () => void addon.setThreads(1),
      threads(count) {
        const exports = exportsOn(addon, new GrowableMemory());
        const started = addon.setThreads(count);
        return {
          exports,
          count: started,
          run(fn, args, total, chunk) {
            addon.run(parallelFunctions.indexOf(fn), exports.memory.buffer, total, chunk, ...args);
          },
        };
      },
    },
  };
}

/** The kernel's functions bound to one memory (read at each call: growing replaces the buffer). */
function exportsOn(addon: NativeAddon, memory: GrowableMemory): KernelExports {
  const exports = { memory } as KernelExports;
  for (const name of kernelFunctions) {
    const fn = addon[name];
    exports[name] = (...args: number[]) => fn(memory.buffer, ...args);
  }
  return exports;
}

/** A WebAssembly.Memory's `buffer` and `grow` (64 KiB pages) over a plain ArrayBuffer. */
class GrowableMemory implements KernelMemory {
  buffer = new ArrayBuffer(16 * 65536);

  grow(pages: number): number {
    const previous = this.buffer.byteLength / 65536;
    const next = new ArrayBuffer(this.buffer.byteLength + pages * 65536);
    new Uint8Array(next).set(new Uint8Array(this.buffer));
    this.buffer = next;
    return previous;
  }
}
