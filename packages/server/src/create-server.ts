import { basename } from 'node:path';
import cors from '@fastify/cors';
import {
  type BackendInfo,
  Classifier,
  initBackend,
  LstmkitError,
  type Prediction,
} from '@lstmkit/model';
import * as tf from '@tensorflow/tfjs';
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import packageJson from '../package.json' with { type: 'json' };
import { installBodyEncoding } from './body-encoding.js';
import { workerMetricsCollector } from './cluster-metrics.js';
import { drainOnClose } from './drain.js';
import { clientErrorHandler, installErrorHandlers } from './error-handler.js';
import { registerInfoRoutes } from './info-routes.js';
import { MicroBatcher } from './micro-batcher.js';
import { openApiDocument } from './openapi.js';
import { type ResolvedServerOptions, resolveServerOptions, type ServerOptions } from './options.js';
import { registerPredictRoutes } from './predict-routes.js';
import { createServerMetrics } from './server-metrics.js';
import { registerUiRoutes } from './ui-routes.js';

/** Builds the app with the bundle loaded and warmed up; call `listen` (or use `startServer`). */
export async function createServer(options: ServerOptions): Promise<FastifyInstance> {
  return buildServer(resolveServerOptions(options));
}

/**
 * Refuses a model whose outputs are not probabilities (NaN or Infinity from corrupt or
 * overflowing weights): every request would fail, yet the server would report ready. The
 * probe texts use the most frequent tokens, so the embedding rows that matter are exercised.
 */
function checkFiniteOutputs(classifier: Classifier): void {
  const { vocabulary } = classifier.bundle.pipeline;
  const frequent = Array.from({ length: Math.min(vocabulary.size - 2, 50) }, (_, i) =>
    vocabulary.token(i + 2),
  );
  const probes = ['warm up', frequent.join(' '), ...frequent.slice(0, 8)];
  const bad = classifier
    .predict(probes)
    .findIndex((prediction) => !prediction.probabilities.every(Number.isFinite));
  if (bad !== -1) {
    throw new LstmkitError(
      'BUNDLE_CORRUPT',
      `the model in ${classifier.bundle.dir} outputs NaN or Infinity (warm-up prediction of ${JSON.stringify(probes[bad]!.slice(0, 40))}); its weights are damaged or overflow`,
      { hint: 'retrain the model or restore the bundle from a good copy' },
    );
  }
}

export async function buildServer(options: ResolvedServerOptions): Promise<FastifyInstance> {
  const metrics = createServerMetrics(
    { numTensors: () => tf.memory().numTensors, queuedTexts: () => batcher.queuedItems },
    options.maxBatchSize,
  );
  const app = Fastify({
    logger: options.logger as FastifyServerOptions['logger'],
    // One line per request, written in onResponse, instead of fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit,
    // Requests that arrive while draining are still answered (with Connection: close).
    return503OnClosing: false,
    requestTimeout: options.requestTimeoutMs,
    http: {
      headersTimeout: options.headersTimeoutMs,
      // Node checks the timeouts on this interval (30 s by default, far past short timeouts).
      connectionsCheckingInterval: Math.min(1000, Math.ceil(options.headersTimeoutMs / 4)),
      // Checked in our onRequest hook instead, to answer in our error shape.
      requireHostHeader: false,
    },
    clientErrorHandler: clientErrorHandler((code) => metrics.clientErrors.inc({ code })),
    // No coercion: {"input": 5} is an error, not the text "5".
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
  });
  app.server.maxConnections = options.maxConnections;
  app.server.on('drop', () => metrics.droppedConnections.inc());
  // The textbook API sends its JSON in a GET body.
  app.addHttpMethod('GET', { hasBody: true, overrideExisting: true });
  // Only JSON bodies: a text/plain body is a 415, not a string that fails validation.
  app.removeContentTypeParser('text/plain');

  let backend: BackendInfo;
  let classifier: Classifier;
  try {
    backend = await initBackend({ log: (line) => app.log.info(line) });
    // loadBundle's errors name the problem (missing, damaged, an interrupted save).
    classifier = await Classifier.load(options.modelDir);
    // The first forward pass allocates and compiles kernels; pay it before the first client.
    checkFiniteOutputs(classifier);
  } catch (error) {
    await app.close();
    throw error;
  }

  const batcher = new MicroBatcher<string, Prediction>({
    maxBatchSize: options.maxBatchSize,
    maxWaitMs: options.maxWaitMs,
    maxQueuedItems: options.maxQueuedTexts,
    // The batcher's size is the model's: what it gathered runs as one call.
    run: (texts) => classifier.predict(texts, { batchSize: options.maxBatchSize }),
    onBatch: (size, seconds) => {
      metrics.batchSize.observe({}, size);
      metrics.batchDuration.observe({}, seconds);
    },
    onQueueFull: () => metrics.queueRejections.inc(),
  });
  const clusterMetrics = workerMetricsCollector(metrics.registry);

  app.addHook('onRequest', async (request, reply) => {
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
      // As Node would: a client this confused gets no keep-alive.
      reply.header('connection', 'close');
      throw new LstmkitError('INVALID_REQUEST', 'an HTTP/1.1 request must have a Host header');
    }
  });
  app.addHook('onResponse', async (request, reply) => {
    // Unmatched URLs share one label so clients cannot grow the metric without bound.
    const route = request.routeOptions.url ?? 'unmatched';
    const status = reply.statusCode;
    metrics.requests.inc({ method: request.method, route, status: String(status) });
    metrics.requestDuration.observe({ route }, reply.elapsedTime / 1000);
    request.log.info(
      {
        method: request.method,
        url: request.url,
        statusCode: status,
        responseTime: reply.elapsedTime,
      },
      'request completed',
    );
  });
  drainOnClose(app, batcher, options.drainTimeoutMs);
  app.addHook('onClose', async () => {
    // Runs once every connection has closed: nothing may still wait in the batcher.
    await batcher.drain();
    clusterMetrics.detach();
    classifier.dispose();
  });

  if (options.cors !== false) {
    await app.register(cors, {
      origin: options.cors === true ? true : options.cors.split(',').map((origin) => origin.trim()),
      methods: ['GET', 'POST'],
    });
  }
  installErrorHandlers(app, options);
  installBodyEncoding(app);

  const { bundle } = classifier;
  const limits = { maxItems: options.maxItems, maxTextLength: options.maxTextLength };
  registerPredictRoutes(app, batcher, limits);
  registerInfoRoutes(app, {
    modelInfo: {
      name: basename(bundle.dir),
      labels: bundle.labelNames,
      sequenceLength: bundle.pipeline.config.sequence.length,
      vocabularySize: bundle.pipeline.vocabulary.size,
      model: bundle.modelConfig,
      metrics: bundle.metrics ?? null,
      bundle: {
        formatVersion: bundle.manifest.formatVersion,
        createdAt: bundle.manifest.createdAt,
        libraries: bundle.manifest.libraries,
      },
      versions: { server: packageJson.version, tfjs: tf.version.tfjs, backend: backend.name },
      limits: { ...limits, bodyLimit: options.bodyLimit },
      batching: { maxBatchSize: options.maxBatchSize, maxWaitMs: options.maxWaitMs },
    },
    openapi: openApiDocument(limits, packageJson.version),
    collectMetrics: clusterMetrics.collect,
  });
  if (options.uiDir !== undefined) {
    try {
      await registerUiRoutes(app, { uiDir: options.uiDir, modelDir: options.modelDir });
    } catch (error) {
      await app.close();
      throw error;
    }
  }
  return app;
}
