import cluster, { type Worker } from 'node:cluster';
import { type MetricFamily, mergeSnapshots, type Registry } from './prometheus.js';

// A scrape lands on one worker; it asks the primary, which gathers every worker's snapshot, so
// /metrics always describes the whole server rather than a random process.
const REQUEST = 'lstmkit:metrics:request';
const COLLECT = 'lstmkit:metrics:collect';
const SNAPSHOT = 'lstmkit:metrics:snapshot';
const MERGED = 'lstmkit:metrics:merged';
const TIMEOUT_MS = 2000;

interface MetricsMessage {
  type: string;
  id: number;
  families?: MetricFamily[];
}

function isMetricsMessage(message: unknown): message is MetricsMessage {
  return typeof message === 'object' && message !== null && 'type' in message && 'id' in message;
}

/** Returns the collector for /metrics and a function that detaches it. */
export function workerMetricsCollector(registry: Registry): {
  collect: () => Promise<MetricFamily[]>;
  detach: () => void;
} {
  const send = process.send?.bind(process);
  if (!cluster.isWorker || send === undefined) {
    return { collect: async () => registry.snapshot(), detach: () => {} };
  }
  let nextId = 0;
  const waiting = new Map<number, (families: MetricFamily[]) => void>();
  const onMessage = (message: unknown) => {
    if (!isMetricsMessage(message)) return;
    if (message.type === COLLECT) {
      send({ type: SNAPSHOT, id: message.id, families: registry.snapshot() });
    } else if (message.type === MERGED) {
      waiting.get(message.id)?.(message.families ?? []);
    }
  };
  process.on('message', onMessage);
  return {
    collect: () =>
      new Promise((resolve) => {
        const id = nextId++;
        // Without an answer (primary busy or gone), report this worker alone rather than hang.
        const timer = setTimeout(() => finish(registry.snapshot()), TIMEOUT_MS);
        const finish = (families: MetricFamily[]) => {
          clearTimeout(timer);
          waiting.delete(id);
          resolve(families);
        };
        waiting.set(id, finish);
        send({ type: REQUEST, id });
      }),
    detach: () => process.off('message', onMessage),
  };
}

export interface ClusterMetrics {
  /** Handles a worker's metrics message. */
  onMessage: (worker: Worker, message: unknown) => void;
  /** Keeps the counters of a worker that exited, so merged counters never go backwards. */
  retire: (worker: Worker) => void;
}

/** In the primary: answers workers' metrics requests with the merged snapshot of all workers. */
export function serveClusterMetrics(workers: () => Worker[]): ClusterMetrics {
  let nextCollection = 0;
  const collections = new Map<
    number,
    { snapshots: MetricFamily[][]; expected: number; done: () => void }
  >();
  // The newest snapshot from each live worker, and the sum of the counters of exited ones.
  const latest = new Map<Worker, MetricFamily[]>();
  let retired: MetricFamily[] = [];
  const onMessage = (worker: Worker, message: unknown) => {
    if (!isMetricsMessage(message)) return;
    if (message.type === SNAPSHOT) {
      latest.set(worker, message.families ?? []);
      const collection = collections.get(message.id);
      if (collection === undefined) return;
      collection.snapshots.push(message.families ?? []);
      if (collection.snapshots.length === collection.expected) collection.done();
      return;
    }
    if (message.type !== REQUEST) return;
    const live = workers().filter((w) => w.isConnected());
    const id = nextCollection++;
    const snapshots: MetricFamily[][] = [];
    const done = () => {
      clearTimeout(timer);
      collections.delete(id);
      if (worker.isConnected()) {
        const families = mergeSnapshots([...snapshots, retired]);
        worker.send({ type: MERGED, id: message.id, families });
      }
    };
    const timer = setTimeout(done, TIMEOUT_MS / 2);
    collections.set(id, { snapshots, expected: live.length, done });
    for (const w of live) w.send({ type: COLLECT, id });
  };
  const retire = (worker: Worker) => {
    const last = latest.get(worker);
    latest.delete(worker);
    if (last === undefined) return;
    // Gauges describe a live process; counters and histograms are history to keep.
    const history = last.filter((family) => family.type !== 'gauge');
    retired = mergeSnapshots([retired, history]);
  };
  return { onMessage, retire };
}
