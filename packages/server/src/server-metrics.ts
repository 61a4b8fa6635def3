import type { ModelRepository } from './model-repository.js';
import { type Counter, type Histogram, Registry } from './prometheus.js';

export interface ServerMetrics {
  registry: Registry;
  requests: Counter;
  requestDuration: Histogram;
  batchSize: Histogram;
  batchDuration: Histogram;
  modelLoads: Counter;
  queueRejections: Counter;
  clientErrors: Counter;
  droppedConnections: Counter;
  /** Adds the per-version gauges (loaded, refused) read from the repository at scrape time. */
  trackModels(repository: ModelRepository): void;
}

/** Every series carries the model and version that answered ("" where none did). */
export function modelLabels(model: { name: string; version: number } | undefined) {
  return { model: model?.name ?? '', version: model === undefined ? '' : String(model.version) };
}

const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface ServerGauges {
  numTensors: () => number;
  queuedTexts: () => number;
}

export function createServerMetrics(gauges: ServerGauges, maxBatchSize: number): ServerMetrics {
  const registry = new Registry();
  const sizeBuckets: number[] = [];
  for (let size = 1; size < maxBatchSize; size *= 2) sizeBuckets.push(size);
  sizeBuckets.push(maxBatchSize);
  const metrics: ServerMetrics = {
    registry,
    requests: registry.counter(
      'lstmkit_http_requests_total',
      'HTTP requests by method, route and status code.',
    ),
    requestDuration: registry.histogram(
      'lstmkit_http_request_duration_seconds',
      'HTTP request latency by route.',
      latencyBuckets,
    ),
    batchSize: registry.histogram(
      'lstmkit_predict_batch_size',
      'Texts per forward pass (micro-batch size).',
      sizeBuckets,
    ),
    batchDuration: registry.histogram(
      'lstmkit_predict_batch_duration_seconds',
      'Time of one forward pass, preprocessing included.',
      latencyBuckets,
    ),
    modelLoads: registry.counter(
      'lstmkit_model_loads_total',
      'Model version loads by model, version and result (success or failure).',
    ),
    trackModels: (repository) => {
      const byState = (state: string) => () =>
        repository.names().flatMap((name) =>
          repository
            .status(name)
            .filter((status) => status.state === state)
            .map((status): [Record<string, string>, number] => [
              { model: name, version: String(status.version) },
              1,
            ]),
        );
      registry.gauge(
        'lstmkit_model_version_available',
        'Model versions loaded and serving (1 per model and version).',
        byState('AVAILABLE'),
      );
      registry.gauge(
        'lstmkit_model_version_failed',
        'Model versions that failed to load or verify (1 per model and version); the previous version keeps serving.',
        byState('FAILED'),
      );
    },
    queueRejections: registry.counter(
      'lstmkit_predict_queue_rejections_total',
      'Requests refused with 503 QUEUE_FULL because maxQueuedTexts texts were waiting.',
    ),
    clientErrors: registry.counter(
      'lstmkit_http_client_errors_total',
      "Requests Node's HTTP parser refused (bad framing, oversized headers, timeouts) by code.",
    ),
    droppedConnections: registry.counter(
      'lstmkit_http_dropped_connections_total',
      'Connections closed on arrival because maxConnections were open.',
    ),
  };
  // Exported from the start, so a rate() over it works before the first refusal.
  metrics.queueRejections.inc({}, 0);
  metrics.droppedConnections.inc({}, 0);
  registry.gauge(
    'lstmkit_predict_queued_texts',
    'Texts waiting for a forward pass.',
    gauges.queuedTexts,
  );
  registry.gauge(
    'lstmkit_tfjs_tensors',
    'Live TensorFlow.js tensors (flat when nothing leaks).',
    gauges.numTensors,
  );
  registry.gauge(
    'process_resident_memory_bytes',
    'Resident memory size in bytes.',
    () => process.memoryUsage().rss,
  );
  return metrics;
}
