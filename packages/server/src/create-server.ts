import cors from '@fastify/cors';
import { type BackendInfo, initBackend, LstmkitError } from '@lstmkit/model';
import * as tf from '@tensorflow/tfjs';
import Fastify, {
  type FastifyInstance,
  type FastifyRequest,
  type FastifyServerOptions,
  LogController,
} from 'fastify';
import packageJson from '../package.json' with { type: 'json' };
import { installBodyEncoding } from './body-encoding.js';
import { workerMetricsCollector } from './cluster-metrics.js';
import { drainOnClose } from './drain.js';
import { clientErrorHandler, installErrorHandlers } from './error-handler.js';
import { registerInfoRoutes } from './info-routes.js';
import { bundleModelName, ModelRepository } from './model-repository.js';
import { openApiDocument } from './openapi.js';
import { type ResolvedServerOptions, resolveServerOptions, type ServerOptions } from './options.js';
import { registerPredictRoutes } from './predict-routes.js';
import { registerProtocols } from './protocols/register.js';
import { installRequestIds, requestIdOptions } from './request-id.js';
import { createServerMetrics, modelLabels } from './server-metrics.js';
import { registerUiRoutes } from './ui-routes.js';

/** Builds the app with its models loaded and warmed up; call `listen` (or use `startServer`). */
export async function createServer(options: ServerOptions): Promise<FastifyInstance> {
  return buildServer(resolveServerOptions(options));
}

export async function buildServer(options: ResolvedServerOptions): Promise<FastifyInstance> {
  const metrics = createServerMetrics(
    { numTensors: () => tf.memory().numTensors, queuedTexts: () => repository.queuedTexts },
    options.maxBatchSize,
  );
  const app = Fastify({
    logger: options.logger as FastifyServerOptions['logger'],
    // One line per request, written in onResponse, instead of fastify's two.
    logController: new LogController({
      disableRequestLogging: true,
      requestIdLogLabel: 'requestId',
    }),
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
    ...requestIdOptions,
  });
  app.server.maxConnections = options.maxConnections;
  app.server.on('drop', () => metrics.droppedConnections.inc());
  // The textbook API sends its JSON in a GET body.
  app.addHttpMethod('GET', { hasBody: true, overrideExisting: true });
  // Only JSON bodies: a text/plain body is a 415, not a string that fails validation.
  app.removeContentTypeParser('text/plain');

  const repository = new ModelRepository({
    source:
      options.modelsDir !== undefined
        ? { kind: 'repository', dir: options.modelsDir, keepVersions: options.modelVersions }
        : { kind: 'bundle', dir: options.modelDir!, name: bundleModelName(options.modelDir!) },
    maxBatchSize: options.maxBatchSize,
    maxWaitMs: options.maxWaitMs,
    maxQueuedItems: options.maxQueuedTexts,
    log: app.log,
    onBatch: (model, size, seconds) => {
      metrics.batchSize.observe(modelLabels(model), size);
      metrics.batchDuration.observe(modelLabels(model), seconds);
    },
    onQueueFull: () => metrics.queueRejections.inc(),
    onLoad: (model, version, result) =>
      metrics.modelLoads.inc({ model, version: String(version), result }),
  });
  metrics.trackModels(repository);
  let backend: BackendInfo;
  try {
    backend = await initBackend({ log: (line) => app.log.info(line) });
    await repository.start();
  } catch (error) {
    await repository.close();
    await app.close();
    throw error;
  }
  repository.watch(options.pollIntervalMs);
  const clusterMetrics = workerMetricsCollector(metrics.registry);

  app.addHook('onRequest', async (request, reply) => {
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
      // As Node would: a client this confused gets no keep-alive.
      reply.header('connection', 'close');
      throw new LstmkitError('INVALID_REQUEST', 'an HTTP/1.1 request must have a Host header');
    }
  });
  app.decorateRequest('servedBy', undefined);
  installRequestIds(app);
  app.addHook('onResponse', async (request, reply) => {
    // Unmatched URLs share one label so clients cannot grow the metric without bound.
    const route = request.routeOptions.url ?? 'unmatched';
    const status = reply.statusCode;
    const served = modelLabels(request.servedBy);
    metrics.requests.inc({ method: request.method, route, status: String(status), ...served });
    metrics.requestDuration.observe({ route, ...served }, reply.elapsedTime / 1000);
    request.log.info(
      {
        method: request.method,
        url: request.url,
        statusCode: status,
        responseTime: reply.elapsedTime,
        ...(request.servedBy !== undefined && served),
      },
      'request completed',
    );
  });
  // Readiness turns 503 at once, so load balancers stop sending while the drain answers.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  drainOnClose(app, repository, options.drainTimeoutMs);
  app.addHook('onClose', async () => {
    // Runs once every connection has closed; retiring answers what is still queued.
    await repository.close();
    clusterMetrics.detach();
  });

  if (options.cors !== false) {
    await app.register(cors, {
      origin: options.cors === true ? true : options.cors.split(',').map((origin) => origin.trim()),
      methods: ['GET', 'POST'],
    });
  }
  installErrorHandlers(app, options);
  installBodyEncoding(app);

  const limits = { maxItems: options.maxItems, maxTextLength: options.maxTextLength };
  const classify = (
    request: FastifyRequest,
    name: string | undefined,
    version: string | undefined,
    texts: string[],
  ) =>
    repository.predict(name, version, texts).then((result) => {
      request.servedBy = result.model;
      return result;
    });
  registerPredictRoutes(
    app,
    (request, texts) => classify(request, undefined, undefined, texts),
    limits,
  );
  await registerProtocols(app, {
    repository,
    classify,
    limits,
    adminToken: options.adminToken,
    isReady: () => !closing && repository.isReady(),
  });
  const modelInfo = () => {
    const served = repository.resolve(undefined);
    const { bundle } = served.classifier;
    return {
      name: served.name,
      version: served.version,
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
    };
  };
  registerInfoRoutes(app, {
    modelInfo,
    isReady: () => !closing && repository.isReady(),
    openapi: openApiDocument(limits, packageJson.version),
    collectMetrics: clusterMetrics.collect,
  });
  // Options allow a page only beside one bundle: it is served the files /predict runs.
  if (options.uiDir !== undefined && options.modelDir !== undefined) {
    try {
      await registerUiRoutes(app, { uiDir: options.uiDir, modelDir: options.modelDir });
    } catch (error) {
      await app.close();
      throw error;
    }
  }
  return app;
}
