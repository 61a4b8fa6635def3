import { LstmkitError } from '@lstmkit/preprocess';
import * as tf from '@tensorflow/tfjs';

/**
 * Backend selection shared by Node (backend.ts) and browsers (backend.browser.ts): one
 * initialisation per requested backend, 'auto' trying each in order, and the one line saying
 * which backend runs. A platform only says which backends exist and how to activate each.
 */

export interface BackendInfo<Name extends string = string> {
  name: Name;
  reason: string;
}

export type Attempt = { ok: true; detail: string } | { ok: false; why: string };

export interface BackendPlatform<Name extends string> {
  /** In the order 'auto' tries them. */
  names: readonly Name[];
  /** The request when the caller gives none or 'auto' (e.g. from an environment variable). */
  configured(): { value: string; source: string } | undefined;
  /** Registers (if needed) and patches the backend; tf.setBackend is done by the caller. */
  prepare(name: Name): Promise<string | undefined>;
  hints: Record<Name, string>;
  defaultLog(line: string): void;
}

export interface BackendSelector<Name extends string> {
  initBackend(options?: {
    backend?: Name | 'auto';
    log?: (line: string) => void;
    /** Said in the backend line after the backend's own detail (e.g. the kernel threads). */
    detail?: string;
  }): Promise<BackendInfo<Name>>;
  ensureBackend(): Promise<BackendInfo<Name>>;
}

export function backendSelector<Name extends string>(
  platform: BackendPlatform<Name>,
): BackendSelector<Name> {
  /** One promise per requested backend, so repeated and concurrent calls initialise once. */
  const initialised = new Map<string, Promise<BackendInfo<Name>>>();
  /** The backend the application asked for last, for code that only needs "some backend". */
  let current: Promise<BackendInfo<Name>> | undefined;

  const resolveRequest = (option: Name | 'auto' | undefined): Name | 'auto' => {
    const configured = platform.configured();
    const [value, source] =
      option !== undefined && option !== 'auto'
        ? [option, 'the backend option']
        : configured
          ? [configured.value, configured.source]
          : ['auto', 'default'];
    if (value === 'auto' || (platform.names as readonly string[]).includes(value)) {
      return value as Name | 'auto';
    }
    throw new LstmkitError('INVALID_BACKEND', `Unknown backend '${value}' (from ${source}).`, {
      hint: `Use one of: auto, ${platform.names.join(', ')}.`,
    });
  };

  const activate = async (name: Name): Promise<Attempt> => {
    try {
      const why = await platform.prepare(name);
      if (why !== undefined) return { ok: false, why };
    } catch (error) {
      return { ok: false, why: firstLine(error) };
    }
    if (!(await tf.setBackend(name))) return { ok: false, why: 'initialisation failed' };
    await tf.ready();
    return { ok: true, detail: await describe(name) };
  };

  const pickAutomatically = async () => {
    const skipped: string[] = [];
    for (const name of platform.names) {
      const attempt = await activate(name);
      if (attempt.ok) {
        const reason = skipped.length === 0 ? 'auto' : `auto; ${skipped.join('; ')}`;
        return { name, reason, detail: attempt.detail };
      }
      skipped.push(`${name} unavailable: ${attempt.why}`);
    }
    const last = platform.names[platform.names.length - 1]!;
    throw new LstmkitError(
      'BACKEND_UNAVAILABLE',
      `No TensorFlow.js backend works: ${skipped.join('; ')}`,
      { hint: platform.hints[last] },
    );
  };

  const start = async (requested: Name | 'auto', log: (line: string) => void, extra?: string) => {
    let info: BackendInfo<Name> & { detail: string };
    if (requested === 'auto') {
      info = await pickAutomatically();
    } else {
      const attempt = await activate(requested);
      if (!attempt.ok) {
        throw new LstmkitError(
          'BACKEND_UNAVAILABLE',
          `Backend '${requested}' is not available: ${attempt.why}`,
          { hint: platform.hints[requested] },
        );
      }
      info = { name: requested, reason: 'requested', detail: attempt.detail };
    }
    const details = [info.detail, extra, info.reason].filter(Boolean).join('; ');
    log(`lstmkit: backend ${info.name} (${details})`);
    return { name: info.name, reason: info.reason };
  };

  const initBackend: BackendSelector<Name>['initBackend'] = async (options = {}) => {
    const requested = resolveRequest(options.backend);
    let pending = initialised.get(requested);
    if (pending === undefined) {
      pending = start(requested, options.log ?? platform.defaultLog, options.detail);
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
    return info;
  };

  return {
    initBackend,
    /** Used by loaders: keeps whatever the application initialised, else initialises the default. */
    ensureBackend: () => current ?? initBackend(),
  };
}

/** Installs our kernel once; tfjs warns on a double registration, so replace explicitly. */
export function patchKernel(config: tf.KernelConfig): void {
  const existing = tf.getKernel(config.kernelName, config.backendName);
  if (existing?.kernelFunc === config.kernelFunc) return;
  if (existing !== undefined) tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel(config);
}

async function describe(name: string): Promise<string> {
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
  if (name === 'webgl') return 'GPU (WebGL)';
  return 'native TensorFlow';
}

export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split('\n').find((line) => line.trim() !== '') ?? text).trim();
}
