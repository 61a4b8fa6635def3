import { Worker } from 'node:worker_threads';
import type { KernelExports, KernelThreads, ParallelFunction } from './lstm-kernel';
import { lstmWasmSharedBase64 } from './lstm-wasm-shared';

/**
 * Threads for the fused LSTM kernel under Node: one shared WebAssembly.Memory, the calling
 * thread plus `count - 1` workers, each with an instance of the shared-memory build. tfjs calls
 * the kernel synchronously, so a call hands each worker its range through a small shared
 * control block (Atomics.notify), runs the first range itself and blocks (Atomics.wait) until
 * the workers are done: tens of microseconds per call, against milliseconds of work.
 */

const FUNCTIONS: readonly ParallelFunction[] = ['forward', 'backward', 'weightGradsColumns'];
// Control block per worker (Int32): [request, done, function, argc, args...].
const REQUEST = 0;
const DONE = 1;
const FUNCTION = 2;
const ARGC = 3;
const ARGS = 4;
const CONTROL_INTS = ARGS + 32;

// The worker spins briefly before it sleeps: calls come in bursts (each layer, forward and
// backward), and waking a sleeping thread costs more than the spin.
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { module, memory, control, functions } = workerData;
const kernel = new WebAssembly.Instance(module, { env: { memory } }).exports;
const ctrl = new Int32Array(control);
parentPort.postMessage('ready');
let seen = 0;
for (;;) {
  for (let spin = 0; spin < 2000 && Atomics.load(ctrl, ${REQUEST}) === seen; spin++);
  Atomics.wait(ctrl, ${REQUEST}, seen);
  seen = Atomics.load(ctrl, ${REQUEST});
  const args = Array.from(ctrl.subarray(${ARGS}, ${ARGS} + ctrl[${ARGC}]));
  let status = seen;
  try {
    kernel[functions[ctrl[${FUNCTION}]]](...args);
  } catch {
    status = -seen;
  }
  Atomics.store(ctrl, ${DONE}, status);
  Atomics.notify(ctrl, ${DONE});
}
`;

let compiled: WebAssembly.Module | undefined;

/** Starts `count - 1` workers (count >= 2) on a fresh shared memory. */
export async function startKernelThreads(
  count: number,
): Promise<KernelThreads & { stop(): Promise<void> }> {
  compiled ??= new WebAssembly.Module(Buffer.from(lstmWasmSharedBase64, 'base64'));
  const memory = new WebAssembly.Memory({ initial: 256, maximum: 65536, shared: true });
  const exports = new WebAssembly.Instance(compiled, { env: { memory } })
    .exports as unknown as KernelExports;
  const workers = await Promise.all(
    Array.from({ length: count - 1 }, async () => {
      const control = new SharedArrayBuffer(CONTROL_INTS * 4);
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { module: compiled, memory, control, functions: FUNCTIONS },
      });
      await new Promise<void>((resolve, reject) => {
        worker.once('message', () => resolve());
        worker.once('error', reject);
      });
      // A worker blocked in Atomics.wait must not keep the process alive.
      worker.unref();
      return { worker, ctrl: new Int32Array(control) };
    }),
  );
  let request = 0;
  return {
    exports,
    count,
    run(fn, args, ranges) {
      request++;
      for (let i = 1; i < ranges.length; i++) {
        const { ctrl } = workers[i - 1]!;
        ctrl[FUNCTION] = FUNCTIONS.indexOf(fn);
        ctrl[ARGC] = args.length + 2;
        ctrl.set(args, ARGS);
        ctrl[ARGS + args.length] = ranges[i]![0];
        ctrl[ARGS + args.length + 1] = ranges[i]![1];
        Atomics.store(ctrl, REQUEST, request);
        Atomics.notify(ctrl, REQUEST);
      }
      exports[fn](...args, ...ranges[0]!);
      let failed = false;
      for (let i = 1; i < ranges.length; i++) {
        const { ctrl } = workers[i - 1]!;
        let done = Atomics.load(ctrl, DONE);
        for (let spin = 0; spin < 2000 && Math.abs(done) !== request; spin++) {
          done = Atomics.load(ctrl, DONE);
        }
        while (Math.abs(done) !== request) {
          Atomics.wait(ctrl, DONE, done);
          done = Atomics.load(ctrl, DONE);
        }
        if (done < 0) failed = true;
      }
      if (failed) throw new Error(`lstmkit: the fused LSTM kernel failed in a worker (${fn})`);
    },
    async stop() {
      await Promise.all(workers.map(({ worker }) => worker.terminate()));
    },
  };
}
