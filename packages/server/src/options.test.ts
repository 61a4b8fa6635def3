import { describe, expect, it } from 'vitest';
import {
  resolveServerOptions,
  serverDefaults,
  serverOptionsFromEnv,
  serverSettings,
} from './options.js';

describe('resolveServerOptions', () => {
  it('fills in the defaults', () => {
    expect(resolveServerOptions({ modelDir: '/m' })).toEqual({ ...serverDefaults, modelDir: '/m' });
  });

  it.each([
    [{ modelDir: '' }, 'modelDir must be a non-empty path'],
    [{ modelDir: '/m', modelsDir: '/r' }, 'not both'],
    [{ modelsDir: '/r', modelVersions: 0 }, 'modelVersions must be an integer from 1 to 100'],
    [{ modelDir: '/m', adminToken: ' ' }, 'adminToken must be a non-empty string'],
    [{ modelDir: '/m', port: 70_000 }, 'port must be an integer from 0 to 65535, got 70000'],
    [{ modelDir: '/m', maxBatchSize: 0 }, 'maxBatchSize must be an integer from 1 to 4096, got 0'],
    [{ modelDir: '/m', maxWaitMs: 1.5 }, 'maxWaitMs must be an integer'],
    [{ modelDir: '/m', cors: '' }, 'cors must be a boolean or a non-empty origin string'],
    [{ modelDir: '/m', maxBatch: 4 }, 'unknown server option "maxBatch"'],
    [
      { modelDir: '/m', maxItems: 300, maxQueuedTexts: 200 },
      'maxQueuedTexts (200) must be at least maxItems (300)',
    ],
    [
      { modelDir: '/m', headersTimeoutMs: 5000, requestTimeoutMs: 1000 },
      'headersTimeoutMs (5000) must not exceed requestTimeoutMs (1000)',
    ],
  ])('rejects %j', (options, message) => {
    expect(() => resolveServerOptions(options as never)).toThrow(
      expect.objectContaining({
        code: 'INVALID_OPTION',
        message: expect.stringContaining(message),
      }),
    );
  });
});

describe('serverOptionsFromEnv', () => {
  const warnings: string[] = [];
  const warn = (message: string) => warnings.push(message);

  it('reads every LSTMKIT_ variable', () => {
    const options = serverOptionsFromEnv(
      {
        LSTMKIT_MODELS_DIR: '/models',
        LSTMKIT_POLL_INTERVAL_MS: '250',
        LSTMKIT_MODEL_VERSIONS: '2',
        LSTMKIT_ADMIN_TOKEN: 's3cret',
        LSTMKIT_PORT: '9000',
        LSTMKIT_HOST: '::',
        LSTMKIT_WORKERS: '0',
        LSTMKIT_MAX_BATCH_SIZE: '16',
        LSTMKIT_MAX_WAIT_MS: '3',
        LSTMKIT_MAX_ITEMS: '10',
        LSTMKIT_MAX_TEXT_LENGTH: '500',
        LSTMKIT_BODY_LIMIT: '65536',
        LSTMKIT_MAX_QUEUED_TEXTS: '100',
        LSTMKIT_MAX_CONNECTIONS: '64',
        LSTMKIT_HEADERS_TIMEOUT_MS: '2000',
        LSTMKIT_REQUEST_TIMEOUT_MS: '5000',
        LSTMKIT_DRAIN_TIMEOUT_MS: '3000',
        LSTMKIT_CORS: 'https://a.example, https://b.example',
        LSTMKIT_LOG_LEVEL: 'warn',
      },
      warn,
    );
    expect(warnings).toEqual([]);
    expect(resolveServerOptions(options)).toEqual({
      modelsDir: '/models',
      pollIntervalMs: 250,
      modelVersions: 2,
      adminToken: 's3cret',
      port: 9000,
      host: '::',
      workers: 0,
      maxBatchSize: 16,
      maxWaitMs: 3,
      maxItems: 10,
      maxTextLength: 500,
      bodyLimit: 65_536,
      maxQueuedTexts: 100,
      maxConnections: 64,
      headersTimeoutMs: 2000,
      requestTimeoutMs: 5000,
      drainTimeoutMs: 3000,
      cors: 'https://a.example, https://b.example',
      logger: { level: 'warn' },
    });
  });

  it('reads the pre-0.2 names with a deprecation warning, and PORT without one', () => {
    warnings.length = 0;
    const options = serverOptionsFromEnv(
      { MODEL_DIR: '/m', WORKERS: '2', CORS: 'true', BODY_LIMIT: '4096', PORT: '5000' },
      warn,
    );
    expect(options).toMatchObject({ modelDir: '/m', workers: 2, cors: true, bodyLimit: 4096 });
    expect(options.port).toBe(5000);
    expect(warnings).toEqual([
      'MODEL_DIR is deprecated; set LSTMKIT_MODEL_DIR instead (read until 0.3)',
      'BODY_LIMIT is deprecated; set LSTMKIT_BODY_LIMIT instead (read until 0.3)',
      'CORS is deprecated; set LSTMKIT_CORS instead (read until 0.3)',
      'WORKERS is deprecated; set LSTMKIT_WORKERS instead (read until 0.3)',
    ]);
  });

  it('prefers the LSTMKIT_ name, silently', () => {
    warnings.length = 0;
    const options = serverOptionsFromEnv({ LSTMKIT_MODEL_DIR: '/new', MODEL_DIR: '/old' }, warn);
    expect(options.modelDir).toBe('/new');
    expect(warnings).toEqual([]);
  });

  it('gives every setting a flag and an LSTMKIT_ variable', () => {
    expect(serverSettings.find((s) => s.option === 'maxBatchSize')).toEqual({
      option: 'maxBatchSize',
      flag: 'max-batch-size',
      env: 'LSTMKIT_MAX_BATCH_SIZE',
      description: 'most texts per forward pass (1: no micro-batching)',
    });
    expect(serverSettings.map((s) => s.option).sort()).toEqual(
      [...Object.keys(serverDefaults), 'modelDir', 'modelsDir', 'adminToken'].sort(),
    );
  });

  it('listens on all interfaces and logs at info by default', () => {
    expect(serverOptionsFromEnv({ LSTMKIT_MODEL_DIR: '/m' })).toEqual({
      modelDir: '/m',
      host: '0.0.0.0',
      logger: { level: 'info' },
    });
  });

  it('parses CORS switches', () => {
    expect(serverOptionsFromEnv({ LSTMKIT_MODEL_DIR: '/m', LSTMKIT_CORS: 'true' }).cors).toBe(true);
    expect(serverOptionsFromEnv({ LSTMKIT_MODEL_DIR: '/m', LSTMKIT_CORS: '0' }).cors).toBe(false);
  });

  it('names the variable that is not a number', () => {
    expect(() => serverOptionsFromEnv({ LSTMKIT_MODEL_DIR: '/m', LSTMKIT_PORT: '80a' })).toThrow(
      'LSTMKIT_PORT must be a non-negative integer, got "80a"',
    );
  });

  it('leaves a missing model to validation, which names both settings', () => {
    expect(() => resolveServerOptions(serverOptionsFromEnv({}))).toThrow(
      expect.objectContaining({
        hint: 'set LSTMKIT_MODEL_DIR / --model-dir, or LSTMKIT_MODELS_DIR / --models-dir',
      }),
    );
  });
});
