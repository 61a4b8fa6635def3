import { availableParallelism } from 'node:os';
import { LstmkitError } from '@lstmkit/model';

export interface ServerOptions {
  /** Bundle directory written by `saveBundle` / the trainer. */
  modelDir: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Most texts in one forward pass; 1 turns micro-batching off. */
  maxBatchSize?: number;
  /** How long the first queued text waits for others before its batch runs. */
  maxWaitMs?: number;
  /** Most texts in one POST /predict body. */
  maxItems?: number;
  /** Most characters (code points) in one text. */
  maxTextLength?: number;
  /** Most bytes in one request body. */
  bodyLimit?: number;
  /** Most texts waiting for a forward pass; more are refused with 503 QUEUE_FULL. */
  maxQueuedTexts?: number;
  /** Most open connections per process; more are closed at once. */
  maxConnections?: number;
  /** Time allowed to receive a request's headers. */
  headersTimeoutMs?: number;
  /** Time allowed to receive a whole request, body included; slower clients get 408. */
  requestTimeoutMs?: number;
  /** On shutdown, how long in-flight requests may take before their connections are cut. */
  drainTimeoutMs?: number;
  /** true: any origin; a string: that origin (comma-separated for several). */
  cors?: boolean | string;
  /** Worker processes (node:cluster); 0 means one per core. */
  workers?: number;
  /** Fastify logger option: false (silent), true, or pino options. */
  logger?: boolean | object;
  /** A built web page (apps/web) to serve at `/`, with the bundle at /bundle/; unset: none. */
  uiDir?: string;
}

export interface ResolvedServerOptions {
  modelDir: string;
  host: string;
  port: number;
  maxBatchSize: number;
  maxWaitMs: number;
  maxItems: number;
  maxTextLength: number;
  bodyLimit: number;
  maxQueuedTexts: number;
  maxConnections: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  drainTimeoutMs: number;
  cors: boolean | string;
  workers: number;
  logger: boolean | object;
  uiDir: string | undefined;
}

/** The one place defaults live; env, flags and library calls all resolve through it. */
export const serverDefaults: Omit<ResolvedServerOptions, 'modelDir'> = {
  host: '127.0.0.1',
  port: 8080,
  maxBatchSize: 32,
  // 0: batch what has arrived by the end of this event-loop turn. While a batch runs (it blocks
  // the loop) requests queue up, so batches grow with load without adding latency at low load.
  maxWaitMs: 0,
  maxItems: 256,
  maxTextLength: 10_000,
  bodyLimit: 1_048_576,
  // About a second of work for the textbook model on one core; beyond it, waiting clients are
  // better off retrying elsewhere than queueing for longer.
  maxQueuedTexts: 4096,
  // Each connection may hold a body of up to bodyLimit bytes: 256 x 1 MiB bounds that memory
  // (512 connections holding 1 MB each took the RSS from 105 to 620 MB in the bench).
  maxConnections: 256,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  // Below Kubernetes' default 30 s grace period, so the drain ends before a SIGKILL.
  drainTimeoutMs: 10_000,
  cors: false,
  workers: 1,
  logger: false,
  uiDir: undefined,
};

/** Integer options and their allowed ranges. */
const integerRanges = {
  port: [0, 65_535],
  maxBatchSize: [1, 4096],
  maxWaitMs: [0, 10_000],
  maxItems: [1, 100_000],
  maxTextLength: [1, 10_000_000],
  bodyLimit: [1024, 1_073_741_824],
  maxQueuedTexts: [1, 10_000_000],
  maxConnections: [1, 1_000_000],
  headersTimeoutMs: [100, 600_000],
  requestTimeoutMs: [100, 3_600_000],
  drainTimeoutMs: [0, 3_600_000],
  workers: [0, 1024],
} as const satisfies Partial<Record<keyof ServerOptions, readonly [number, number]>>;

type IntegerOption = keyof typeof integerRanges;

const envNames: Record<keyof ServerOptions, string> = {
  modelDir: 'MODEL_DIR',
  host: 'HOST',
  port: 'PORT',
  maxBatchSize: 'MAX_BATCH_SIZE',
  maxWaitMs: 'MAX_WAIT_MS',
  maxItems: 'MAX_ITEMS',
  maxTextLength: 'MAX_TEXT_LENGTH',
  bodyLimit: 'BODY_LIMIT',
  maxQueuedTexts: 'MAX_QUEUED_TEXTS',
  maxConnections: 'MAX_CONNECTIONS',
  headersTimeoutMs: 'HEADERS_TIMEOUT_MS',
  requestTimeoutMs: 'REQUEST_TIMEOUT_MS',
  drainTimeoutMs: 'DRAIN_TIMEOUT_MS',
  cors: 'CORS',
  workers: 'WORKERS',
  logger: 'LOG_LEVEL',
  uiDir: 'UI_DIR',
};

function invalid(message: string, hint?: string): LstmkitError {
  return new LstmkitError('INVALID_OPTION', message, hint === undefined ? undefined : { hint });
}

function isPlainObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates options from any source and fills in defaults; throws `INVALID_OPTION`. */
export function resolveServerOptions(options: ServerOptions): ResolvedServerOptions {
  if (!isPlainObject(options)) throw invalid('server options must be an object');
  for (const key of Object.keys(options)) {
    if (!(key in envNames)) throw invalid(`unknown server option "${key}"`);
  }
  const resolved: ResolvedServerOptions = { ...serverDefaults, modelDir: options.modelDir };
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) Object.assign(resolved, { [key]: value });
  }

  if (typeof resolved.modelDir !== 'string' || resolved.modelDir.trim() === '') {
    throw invalid(
      'modelDir must be a non-empty path to a model bundle',
      'set MODEL_DIR or --model-dir',
    );
  }
  if (typeof resolved.host !== 'string' || resolved.host === '') {
    throw invalid('host must be a non-empty string');
  }
  for (const [key, [min, max]] of Object.entries(integerRanges) as [
    IntegerOption,
    readonly [number, number],
  ][]) {
    const value = resolved[key];
    if (!Number.isInteger(value) || value < min || value > max) {
      throw invalid(
        `${key} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`,
      );
    }
  }
  if (resolved.maxQueuedTexts < resolved.maxItems) {
    throw invalid(
      `maxQueuedTexts (${resolved.maxQueuedTexts}) must be at least maxItems (${resolved.maxItems}), or a full request could never be queued`,
    );
  }
  if (resolved.headersTimeoutMs > resolved.requestTimeoutMs) {
    throw invalid(
      `headersTimeoutMs (${resolved.headersTimeoutMs}) must not exceed requestTimeoutMs (${resolved.requestTimeoutMs})`,
    );
  }
  if (
    typeof resolved.cors !== 'boolean' &&
    (typeof resolved.cors !== 'string' || resolved.cors === '')
  ) {
    throw invalid('cors must be a boolean or a non-empty origin string');
  }
  if (
    resolved.uiDir !== undefined &&
    (typeof resolved.uiDir !== 'string' || resolved.uiDir.trim() === '')
  ) {
    throw invalid('uiDir must be a non-empty path to a built page');
  }
  if (typeof resolved.logger !== 'boolean' && !isPlainObject(resolved.logger)) {
    throw invalid('logger must be a boolean or a pino options object');
  }
  return resolved;
}

/** `workers: 0` means one process per core. */
export function workerCount(options: ResolvedServerOptions): number {
  return options.workers === 0 ? availableParallelism() : options.workers;
}

function parseInteger(name: string, raw: string): number {
  if (!/^\d+$/.test(raw.trim()))
    throw invalid(`${name} must be a non-negative integer, got "${raw}"`);
  return Number(raw);
}

function parseCors(raw: string): boolean | string {
  const lower = raw.trim().toLowerCase();
  if (lower === 'true' || lower === '1' || lower === '*') return true;
  if (lower === 'false' || lower === '0' || lower === '') return false;
  return raw.trim();
}

/**
 * Reads options from environment variables (MODEL_DIR, PORT, HOST, WORKERS, MAX_BATCH_SIZE,
 * MAX_WAIT_MS, MAX_ITEMS, MAX_TEXT_LENGTH, BODY_LIMIT, MAX_QUEUED_TEXTS, MAX_CONNECTIONS,
 * HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS, DRAIN_TIMEOUT_MS, CORS, LOG_LEVEL, UI_DIR). Unset
 * variables take the defaults, except HOST, which defaults to 0.0.0.0: env-configured servers
 * run in containers and PaaS dynos, where loopback is unreachable.
 */
export function serverOptionsFromEnv(env: Record<string, string | undefined>): ServerOptions {
  const read = (key: keyof ServerOptions): string | undefined => {
    const raw = env[envNames[key]];
    return raw === undefined || raw.trim() === '' ? undefined : raw;
  };
  const options: ServerOptions = {
    modelDir: read('modelDir') ?? '',
    host: read('host') ?? '0.0.0.0',
    logger: { level: read('logger') ?? 'info' },
  };
  for (const key of Object.keys(integerRanges) as IntegerOption[]) {
    const raw = read(key);
    if (raw !== undefined) options[key] = parseInteger(envNames[key], raw);
  }
  const cors = read('cors');
  if (cors !== undefined) options.cors = parseCors(cors);
  const uiDir = read('uiDir');
  if (uiDir !== undefined) options.uiDir = uiDir;
  return options;
}
