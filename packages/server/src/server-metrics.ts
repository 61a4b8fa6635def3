import { type Counter, type Histogram, Registry } from './prometheus.js';

export interface ServerMetrics {
  registry: Registry;
  requests: Counter;
  requestDuration: Histogram;
  batchSize: Histogram;
  batchDuration: Histogram;
  queueRejections: Counter;
  clientErrors: Counter;
  droppedConnections: Counter;
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
