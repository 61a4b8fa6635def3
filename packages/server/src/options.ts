import { availableParallelism } from 'node:os';
import { LstmkitError } from '@lstmkit/model';

export interface ServerOptions {
  /** Bundle directory written by `saveBundle` / the trainer (this or `modelsDir`). */
  modelDir?: string;
  /** Model repository: `{name}/{version}/` bundle directories, TensorFlow Serving's layout. */
  modelsDir?: string;
  /** How often the repository is scanned for new, changed and removed models; 0: never. */
  pollIntervalMs?: number;
  /** Newest versions of each model kept loaded (requests can pin any of them). */
  modelVersions?: number;
  /** Enables `POST /admin/reload` for requests with `Authorization: Bearer <token>`. */
  adminToken?: string;
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
  /** A built web page (apps/web) to serve at `/`, with the bundle at /bundle/ (needs modelDir). */
  uiDir?: string;
}

export interface ResolvedServerOptions {
  modelDir?: string;
  modelsDir?: string;
  pollIntervalMs: number;
  modelVersions: number;
  adminToken?: string;
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
export const serverDefaults: Omit<ResolvedServerOptions, 'modelDir' | 'modelsDir' | 'adminToken'> =
  {
    pollIntervalMs: 5000,
    modelVersions: 1,
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
  pollIntervalMs: [0, 86_400_000],
  modelVersions: [1, 100],
} as const satisfies Partial<Record<keyof ServerOptions, readonly [number, number]>>;

type IntegerOption = keyof typeof integerRanges;

/**
 * Every setting's environment variable is `LSTMKIT_` + its name; its flag is the name in
 * kebab case (`--max-batch-size`); the description is the flag's help.
 */
const settingTable: Record<keyof ServerOptions, [name: string, description: string]> = {
  modelDir: ['MODEL_DIR', 'model bundle directory (written by lstmkit train)'],
  modelsDir: ['MODELS_DIR', 'model repository: DIR/{name}/{version}/ bundles'],
  pollIntervalMs: ['POLL_INTERVAL_MS', 'scan the model repository every N ms (0: never)'],
  modelVersions: ['MODEL_VERSIONS', 'newest versions of each model kept loaded'],
  adminToken: ['ADMIN_TOKEN', 'enable POST /admin/reload for this bearer token'],
  host: ['HOST', 'address to bind (0.0.0.0 for every interface)'],
  port: ['PORT', 'port to listen on (0: any free port)'],
  maxBatchSize: ['MAX_BATCH_SIZE', 'most texts per forward pass (1: no micro-batching)'],
  maxWaitMs: ['MAX_WAIT_MS', 'how long a queued text waits for company'],
  maxItems: ['MAX_ITEMS', 'most texts per request'],
  maxTextLength: ['MAX_TEXT_LENGTH', 'most characters per text'],
  bodyLimit: ['BODY_LIMIT', 'most bytes per request body'],
  maxQueuedTexts: [
    'MAX_QUEUED_TEXTS',
    'most texts waiting per model version (more: 503 QUEUE_FULL)',
  ],
  maxConnections: ['MAX_CONNECTIONS', 'most open connections (more are closed on arrival)'],
  headersTimeoutMs: ['HEADERS_TIMEOUT_MS', 'time to receive the request headers (408)'],
  requestTimeoutMs: ['REQUEST_TIMEOUT_MS', 'time to receive the whole request (408)'],
  drainTimeoutMs: ['DRAIN_TIMEOUT_MS', 'on SIGTERM, time to answer the requests already sent'],
  cors: ['CORS', 'allow cross-origin requests: true, or origins (comma-separated)'],
  workers: ['WORKERS', 'worker processes (0: one per core)'],
  logger: ['LOG_LEVEL', 'log level of the JSON access log (info, warn, ...)'],
  uiDir: ['UI_DIR', 'a built web page (apps/web) to serve at / beside one bundle'],
};
const settingNames = Object.fromEntries(
  Object.entries(settingTable).map(([key, [name]]) => [key, name]),
) as Record<keyof ServerOptions, string>;

export const ENV_PREFIX = 'LSTMKIT_';

/** Unprefixed names read before 0.2; still read, with a deprecation warning, until 0.3. */
const deprecatedEnvNames = [
  'MODEL_DIR',
  'HOST',
  'WORKERS',
  'MAX_BATCH_SIZE',
  'MAX_WAIT_MS',
  'MAX_ITEMS',
  'MAX_TEXT_LENGTH',
  'BODY_LIMIT',
  'CORS',
  'LOG_LEVEL',
];

/** Each setting's flag (`--max-batch-size`) and environment variable (`LSTMKIT_MAX_BATCH_SIZE`). */
export const serverSettings = Object.entries(settingTable).map(([option, [name, description]]) => ({
  option: option as keyof ServerOptions,
  flag: name.toLowerCase().replaceAll('_', '-'),
  env: `${ENV_PREFIX}${name}`,
  description,
}));

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
    if (!(key in settingNames)) throw invalid(`unknown server option "${key}"`);
  }
  const resolved: ResolvedServerOptions = { ...serverDefaults, modelDir: options.modelDir };
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) Object.assign(resolved, { [key]: value });
  }

  const given = (value: unknown) => value !== undefined && value !== '';
  if (given(resolved.modelDir) === given(resolved.modelsDir)) {
    throw invalid(
      given(resolved.modelDir)
        ? 'set modelDir (one bundle) or modelsDir (a model repository), not both'
        : 'modelDir must be a non-empty path to a model bundle (or modelsDir to a model repository)',
      'set LSTMKIT_MODEL_DIR / --model-dir, or LSTMKIT_MODELS_DIR / --models-dir',
    );
  }
  if (given(resolved.uiDir) && !given(resolved.modelDir)) {
    throw invalid('uiDir serves the page beside one bundle: set modelDir, not modelsDir');
  }
  for (const key of ['modelDir', 'modelsDir', 'adminToken', 'uiDir'] as const) {
    const value = resolved[key];
    if (value !== undefined && (typeof value !== 'string' || value.trim() === '')) {
      throw invalid(`${key} must be a non-empty string`);
    }
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
 * Reads options from `LSTMKIT_*` environment variables (`serverSettings` lists them). Unset
 * variables take the defaults, except the host, which defaults to 0.0.0.0: env-configured
 * servers run in containers and PaaS dynos, where loopback is unreachable. `PORT`, which PaaS
 * platforms set, is read when `LSTMKIT_PORT` is not; the other pre-0.2 names (`MODEL_DIR`,
 * `WORKERS`, ...) still work with a deprecation warning.
 */
export function serverOptionsFromEnv(
  env: Record<string, string | undefined>,
  warn: (message: string) => void = (message) => process.emitWarning(message, 'DeprecationWarning'),
): ServerOptions {
  const values: Partial<Record<keyof ServerOptions, string>> = {};
  for (const [key, name] of Object.entries(settingNames) as [keyof ServerOptions, string][]) {
    const value = nonEmpty(env[`${ENV_PREFIX}${name}`]);
    const legacy = nonEmpty(env[name]);
    if (value !== undefined) {
      values[key] = value;
    } else if (legacy !== undefined && name === 'PORT') {
      values[key] = legacy;
    } else if (legacy !== undefined && deprecatedEnvNames.includes(name)) {
      warn(`${name} is deprecated; set ${ENV_PREFIX}${name} instead (read until 0.3)`);
      values[key] = legacy;
    }
  }
  return {
    host: '0.0.0.0',
    ...serverOptionsFromStrings(values),
    logger: { level: values.logger ?? 'info' },
  };
}

const nonEmpty = (raw: string | undefined) =>
  raw === undefined || raw.trim() === '' ? undefined : raw;

/** Parses settings given as text (environment variables, command-line flags). */
export function serverOptionsFromStrings(
  values: Partial<Record<keyof ServerOptions, string>>,
): ServerOptions {
  const options: ServerOptions = {};
  for (const [key, raw] of Object.entries(values) as [keyof ServerOptions, string][]) {
    if (raw === undefined) continue;
    const name = `${ENV_PREFIX}${settingNames[key]}`;
    if (key in integerRanges) options[key as IntegerOption] = parseInteger(name, raw);
    else if (key === 'cors') options.cors = parseCors(raw);
    else if (key === 'logger') options.logger = { level: raw.trim() };
    else options[key as 'modelDir' | 'modelsDir' | 'adminToken' | 'host' | 'uiDir'] = raw;
  }
  return options;
}
