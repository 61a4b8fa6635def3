import { Worker } from 'node:worker_threads';
import { checkedKernel, type KernelThreads, parallelFunctions, wasmSimd } from './lstm-kernel';
import { lstmWasmRelaxedSharedBase64 } from './lstm-wasm-relaxed-shared';
import { lstmWasmSharedBase64 } from './lstm-wasm-shared';

/**
 * Threads for the fused LSTM kernel under Node: one shared WebAssembly.Memory, the calling
 * thread plus `count - 1` workers, each with an instance of the shared-memory build. tfjs calls
 * the kernel synchronously, so a call posts the job in a small shared control block
 * (Atomics.notify) and every thread, the caller included, claims chunks of it from a shared
 * counter until none is left; the caller then waits (Atomics.wait) for the workers' last
 * chunks. Claiming chunks balances the work when rows differ in length (batches come sorted by
 * length) and when another process holds a core; chunks are independent, so the results do not
 * depend on who computed which.
 */

// Shared control block (Int32): [request, next chunk, function, total, chunk, argc, args...],
// then one "done" slot per worker.
const REQUEST = 0;
const NEXT = 1;
const FUNCTION = 2;
const TOTAL = 3;
const CHUNK = 4;
const ARGC = 5;
const ARGS = 6;
const DONE = ARGS + 32;

// Workers spin briefly before they sleep: calls come in bursts (each layer, forward and
// backward), and waking a sleeping thread costs more than the spin.
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { module, memory, control, functions, slot } = workerData;
const kernel = new WebAssembly.Instance(module, { env: { memory } }).exports;
const ctrl = new Int32Array(control);
parentPort.postMessage('ready');
let seen = 0;
for (;;) {
  for (let spin = 0; spin < 2000 && Atomics.load(ctrl, ${REQUEST}) === seen; spin++);
  Atomics.wait(ctrl, ${REQUEST}, seen);
  seen = Atomics.load(ctrl, ${REQUEST});
  const fn = kernel[functions[ctrl[${FUNCTION}]]];
  const [total, chunk] = [ctrl[${TOTAL}], ctrl[${CHUNK}]];
  const args = Array.from(ctrl.subarray(${ARGS}, ${ARGS} + ctrl[${ARGC}]));
  let status = seen;
  try {
    for (let k; (k = Atomics.add(ctrl, ${NEXT}, 1) * chunk) < total; ) {
      fn(...args, k, Math.min(total, k + chunk));
    }
  } catch {
    status = -seen;
  }
  Atomics.store(ctrl, ${DONE} + slot, status);
  Atomics.notify(ctrl, ${DONE} + slot);
}
`;

let compiled: WebAssembly.Module | undefined;

/** Starts `count - 1` workers (count >= 2) on a fresh shared memory. */
export async function startKernelThreads(
  count: number,
): Promise<KernelThreads & { stop(): Promise<void> }> {
  // The same build as the single-thread instances (wasmSimd): results do not depend on threads.
  const base64 = wasmSimd() === 'relaxed-simd' ? lstmWasmRelaxedSharedBase64 : lstmWasmSharedBase64;
  compiled ??= new WebAssembly.Module(Buffer.from(base64, 'base64'));
  const memory = new WebAssembly.Memory({ initial: 256, maximum: 65536, shared: true });
  const exports = checkedKernel(new WebAssembly.Instance(compiled, { env: { memory } }).exports);
  const control = new SharedArrayBuffer((DONE + count) * 4);
  const ctrl = new Int32Array(control);
  const workers = await Promise.all(
    Array.from({ length: count - 1 }, async (_, slot) => {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { module: compiled, memory, control, functions: parallelFunctions, slot },
      });
      await new Promise<void>((resolve, reject) => {
        worker.once('message', () => resolve());
        worker.once('error', reject);
      });
      // A worker blocked in Atomics.wait must not keep the process alive.
      worker.unref();
      return worker;
    }),
  );
  let request = 0;
  return {
    exports,
    count,
    run(fn, args, total, chunk) {
      request++;
      ctrl[FUNCTION] = parallelFunctions.indexOf(fn);
      ctrl[TOTAL] = total;
      ctrl[CHUNK] = chunk;
      ctrl[ARGC] = args.length;
      ctrl.set(args, ARGS);
      Atomics.store(ctrl, NEXT, 0);
      Atomics.store(ctrl, REQUEST, request);
      Atomics.notify(ctrl, REQUEST);
      const kernel = exports[fn];
      for (let k = Atomics.add(ctrl, NEXT, 1) * chunk; k < total; ) {
        kernel(...args, k, Math.min(total, k + chunk));
        k = Atomics.add(ctrl, NEXT, 1) * chunk;
      }
      let failed = false;
      for (let slot = 0; slot < workers.length; slot++) {
        let done = Atomics.load(ctrl, DONE + slot);
        for (let spin = 0; spin < 2000 && Math.abs(done) !== request; spin++) {
          done = Atomics.load(ctrl, DONE + slot);
        }
        while (Math.abs(done) !== request) {
          Atomics.wait(ctrl, DONE + slot, done);
          done = Atomics.load(ctrl, DONE + slot);
        }
        if (done < 0) failed = true;
      }
      if (failed) throw new Error(`lstmkit: the fused LSTM kernel failed in a worker (${fn})`);
    },
    async stop() {
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
