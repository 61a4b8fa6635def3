import { type Counter, type Histogram, Registry } from './prometheus.js';

export interface ServerMetrics {
  registry: Registry;
  requests: Counter;
  requestDuration: Histogram;
  batchSize: Histogram;
  batchDuration: Histogram;
}

const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createServerMetrics(numTensors: () => number, maxBatchSize: number): ServerMetrics {
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
  };
  registry.gauge(
    'lstmkit_tfjs_tensors',
    'Live TensorFlow.js tensors (flat when nothing leaks).',
    numTensors,
  );
  registry.gauge(
    'process_resident_memory_bytes',
    'Resident memory size in bytes.',
    () => process.memoryUsage().rss,
  );
  return metrics;
}
