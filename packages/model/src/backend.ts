import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { LstmkitError } from '@lstmkit/preprocess';
import * as tf from '@tensorflow/tfjs';
import { startKernelThreads } from './fused/kernel-threads';
import { useKernelThreads } from './fused/lstm-kernel';
import { wasmGatherKernel } from './gather-rows';
import { segmentSumKernels } from './unsorted-segment-sum';

/**
 * Every piece of TensorFlow.js setup lives here: backend choice, kernel patches. Other modules
 * only use `tf` after `initBackend` has run.
 */

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export interface BackendInfo {
  name: BackendName;
  reason: string;
  /** Threads the fused LSTM kernel runs on. */
  kernelThreads: number;
}
export interface InitBackendOptions {
  /** Default: `$LSTMKIT_BACKEND`, else 'auto' (tfjs-node, else wasm, else cpu). */
  backend?: BackendName | 'auto';
  /** Receives the one line saying which backend runs. Default: a line on stderr. */
  log?: (line: string) => void;
  /**
   * Threads for the fused LSTM kernel (batch rows split across them; results do not depend on
   * the count). Default: `$LSTMKIT_THREADS`, else the available cores.
   */
  threads?: number;
}

const BACKEND_NAMES: readonly string[] = ['tensorflow', 'wasm', 'cpu'];
const ENV_VAR = 'LSTMKIT_BACKEND';
const THREADS_VAR = 'LSTMKIT_THREADS';

const defaultLog = (line: string) => {
  process.stderr.write(`${line}\n`);
};

/** One promise per requested backend, so repeated and concurrent calls initialise once. */
const initialised = new Map<string, Promise<StartedBackend>>();
/** The backend the application asked for last, for code that only needs "some backend". */
let current: Promise<unknown> | undefined;
type StartedBackend = Omit<BackendInfo, 'kernelThreads'>;

export async function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  const requested = resolveRequest(options.backend);
  const threads = resolveThreads(options.threads);
  const log = options.log ?? defaultLog;
  let pending = initialised.get(requested);
  if (pending === undefined) {
    pending = start(requested, threads, log);
    initialised.set(requested, pending);
    // A failed attempt must not poison later ones (e.g. after installing a backend).
    pending.catch(() => initialised.delete(requested));
  }
  const request = pending;
  current = request;
  request.catch(() => {
    if (current === request) current = undefined;
  });
  const info = await request;
  // Another caller may have switched backends since; switch back without logging again.
  if (tf.getBackend() !== info.name) await tf.setBackend(info.name);
  const kernelThreads = await setKernelThreads(threads, log);
  return { ...info, kernelThreads };
}

function resolveThreads(option: number | undefined): number {
  const fromEnv = process.env[THREADS_VAR]?.trim();
  const [value, source] =
    option !== undefined
      ? [option, 'the threads option']
      : fromEnv
        ? [Number(fromEnv), `${THREADS_VAR}=${fromEnv}`]
        : [availableParallelism(), 'the available cores'];
  if (!Number.isInteger(value) || value < 1 || value > 256) {
    throw new LstmkitError(
      'INVALID_THREADS',
      `Kernel threads must be an integer from 1 to 256, got ${JSON.stringify(fromEnv ?? option)} (from ${source}).`,
    );
  }
  return value;
}

/** The running kernel threads and their count (1: none, the kernel runs on the caller's). */
let runningThreads: { stop(): Promise<void> } | undefined;
let kernelThreadCount = 1;

async function setKernelThreads(count: number, log: (line: string) => void): Promise<number> {
  if (count === kernelThreadCount) return count;
  useKernelThreads(undefined);
  await runningThreads?.stop();
  runningThreads = undefined;
  kernelThreadCount = 1;
  if (count > 1) {
    try {
      const started = await startKernelThreads(count);
      useKernelThreads(started);
      runningThreads = started;
      kernelThreadCount = count;
    } catch (error) {
      log(`lstmkit: fused LSTM kernel on 1 thread (${count} unavailable: ${firstLine(error)})`);
    }
  }
  return kernelThreadCount;
}

/** Used by loaders: keeps whatever the application initialised, else initialises the default. */
export function ensureBackend(): Promise<unknown> {
  return current ?? initBackend();
}

function resolveRequest(option: InitBackendOptions['backend']): BackendName | 'auto' {
  const fromEnv = process.env[ENV_VAR]?.trim();
  const [value, source] =
    option !== undefined && option !== 'auto'
      ? [option, 'the backend option']
      : fromEnv
        ? [fromEnv, `${ENV_VAR}=${fromEnv}`]
        : ['auto', 'default'];
  if (value === 'auto' || BACKEND_NAMES.includes(value)) return value as BackendName | 'auto';
  throw new LstmkitError('INVALID_BACKEND', `Unknown backend '${value}' (from ${source}).`, {
    hint: `Use one of: auto, ${BACKEND_NAMES.join(', ')}.`,
  });
}

async function start(
  requested: BackendName | 'auto',
  threads: number,
  log: (line: string) => void,
): Promise<StartedBackend> {
  let info: StartedBackend & { detail: string };
  if (requested === 'auto') {
    info = await pickAutomatically();
  } else {
    const attempt = await activate(requested);
    if (!attempt.ok) {
      throw new LstmkitError(
        'BACKEND_UNAVAILABLE',
        `Backend '${requested}' is not available: ${attempt.why}`,
        { hint: HINTS[requested] },
      );
    }
    info = { name: requested, reason: 'requested', detail: attempt.detail };
  }
  const kernel = `fused LSTM kernel ${threads} thread${threads === 1 ? '' : 's'}`;
  log(
    `lstmkit: backend ${info.name} (${[info.detail, kernel, info.reason].filter(Boolean).join('; ')})`,
  );
  return { name: info.name, reason: info.reason };
}

const HINTS: Record<BackendName, string> = {
  tensorflow:
    'Install @tensorflow/tfjs-node (npm i @tensorflow/tfjs-node) with its native build, or use wasm.',
  wasm: 'Install @tensorflow/tfjs-backend-wasm (same version as @tensorflow/tfjs), or use cpu.',
  cpu: 'The cpu backend ships with @tensorflow/tfjs; check that it is installed once.',
};

async function pickAutomatically(): Promise<StartedBackend & { detail: string }> {
  const skipped: string[] = [];
  for (const name of ['tensorflow', 'wasm', 'cpu'] as const) {
    const attempt = await activate(name);
    if (attempt.ok) {
      const reason = skipped.length === 0 ? 'auto' : `auto; ${skipped.join('; ')}`;
      return { name, reason, detail: attempt.detail };
    }
    skipped.push(`${name} unavailable: ${attempt.why}`);
  }
  throw new LstmkitError(
    'BACKEND_UNAVAILABLE',
    `No TensorFlow.js backend works: ${skipped.join('; ')}`,
    {
      hint: HINTS.cpu,
    },
  );
}

type Attempt = { ok: true; detail: string } | { ok: false; why: string };

async function activate(name: BackendName): Promise<Attempt> {
  try {
    if (name === 'tensorflow') {
      const why = loadTfjsNode();
      if (why !== undefined) return { ok: false, why };
    } else if (name === 'wasm') {
      await import('@tensorflow/tfjs-backend-wasm');
      patchKernel(segmentSumKernels.wasm);
      patchKernel(wasmGatherKernel());
    } else {
      patchKernel(segmentSumKernels.cpu);
    }
  } catch (error) {
    return { ok: false, why: firstLine(error) };
  }
  if (!(await tf.setBackend(name))) return { ok: false, why: 'initialisation failed' };
  await tf.ready();
  return { ok: true, detail: await describe(name) };
}

/** Installs our kernel once; tfjs warns on a double registration, so replace explicitly. */
function patchKernel(config: tf.KernelConfig): void {
  const existing = tf.getKernel(config.kernelName, config.backendName);
  if (existing?.kernelFunc === config.kernelFunc) return;
  if (existing !== undefined) tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel(config);
}

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

async function describe(name: BackendName): Promise<string> {
  if (name === 'wasm') {
    const { getThreadsCount } = await import('@tensorflow/tfjs-backend-wasm');
    const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) ? 'simd' : 'no simd';
    const threads = getThreadsCount();
    return `${simd}, ${threads} thread${threads === 1 ? '' : 's'}`;
  }
  if (name === 'cpu') {
    // The cpu backend prints a multi-line "install tfjs-node" banner on first use; our own
    // backend line already says what runs.
    (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
    return 'pure JavaScript';
  }
  return 'native TensorFlow';
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split('\n').find((line) => line.trim() !== '') ?? text).trim();
}
