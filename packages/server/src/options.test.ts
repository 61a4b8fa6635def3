import { describe, expect, it } from 'vitest';
import { resolveServerOptions, serverDefaults, serverOptionsFromEnv } from './options.js';

describe('resolveServerOptions', () => {
  it('fills in the defaults', () => {
    expect(resolveServerOptions({ modelDir: '/m' })).toEqual({ ...serverDefaults, modelDir: '/m' });
  });

  it.each([
    [{ modelDir: '' }, 'modelDir must be a non-empty path'],
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
  it('reads every variable', () => {
    const options = serverOptionsFromEnv({
      MODEL_DIR: '/models/sentiment',
      PORT: '9000',
      HOST: '::',
      WORKERS: '0',
      MAX_BATCH_SIZE: '16',
      MAX_WAIT_MS: '3',
      MAX_ITEMS: '10',
      MAX_TEXT_LENGTH: '500',
      BODY_LIMIT: '65536',
      MAX_QUEUED_TEXTS: '100',
      MAX_CONNECTIONS: '64',
      HEADERS_TIMEOUT_MS: '2000',
      REQUEST_TIMEOUT_MS: '5000',
      DRAIN_TIMEOUT_MS: '3000',
      CORS: 'https://a.example, https://b.example',
      LOG_LEVEL: 'warn',
    });
    expect(resolveServerOptions(options)).toEqual({
      modelDir: '/models/sentiment',
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

  it('listens on all interfaces and logs at info by default', () => {
    expect(serverOptionsFromEnv({ MODEL_DIR: '/m' })).toEqual({
      modelDir: '/m',
      host: '0.0.0.0',
      logger: { level: 'info' },
    });
  });

  it('parses CORS switches', () => {
    expect(serverOptionsFromEnv({ MODEL_DIR: '/m', CORS: 'true' }).cors).toBe(true);
    expect(serverOptionsFromEnv({ MODEL_DIR: '/m', CORS: '0' }).cors).toBe(false);
  });

  it('names the variable that is not a number', () => {
    expect(() => serverOptionsFromEnv({ MODEL_DIR: '/m', PORT: '80a' })).toThrow(
      'PORT must be a non-negative integer, got "80a"',
    );
  });

  it('leaves a missing MODEL_DIR to validation, which names it', () => {
    expect(() => resolveServerOptions(serverOptionsFromEnv({}))).toThrow(
      expect.objectContaining({ hint: 'set MODEL_DIR or --model-dir' }),
    );
  });
});
