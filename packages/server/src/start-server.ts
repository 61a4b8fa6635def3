import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { type ErrorCode, LstmkitError } from '@lstmkit/model';
import { pino } from 'pino';
import { serveClusterMetrics } from './cluster-metrics.js';
import { buildServer } from './create-server.js';
import {
  type ResolvedServerOptions,
  resolveServerOptions,
  type ServerOptions,
  workerCount,
} from './options.js';

export interface RunningServer {
  url: string;
  /** Stops accepting connections, answers in-flight requests, then releases the model. */
  close(): Promise<void>;
}

/** The environment variable that carries resolved options to cluster workers. */
export const WORKER_OPTIONS_ENV = 'LSTMKIT_SERVER_OPTIONS';

/**
 * Starts listening. With more than one worker, forks that many processes (node:cluster) that
 * share the port; each loads the bundle, so memory grows with the worker count.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const resolved = resolveServerOptions(options);
  const workers = workerCount(resolved);
  if (workers > 1 && cluster.isPrimary) return startCluster(resolved, workers);
  const app = await buildServer(resolved);
  const url = await app.listen({ host: resolved.host, port: resolved.port });
  return { url, close: () => app.close() };
}

type WorkerMessage =
  | { type: 'listening'; url: string }
  | { type: 'failed'; code: string; message: string };

function isWorkerMessage(message: unknown): message is WorkerMessage {
  const type = (message as { type?: unknown } | null)?.type;
  return type === 'listening' || type === 'failed';
}

const RESTART_DELAY_MS = 1000;
// After its drain a worker still releases the model and exits.
const WORKER_EXIT_GRACE_MS = 5000;

async function startCluster(options: ResolvedServerOptions, count: number): Promise<RunningServer> {
  const log =
    options.logger === false ? undefined : pino(options.logger === true ? {} : options.logger);
  // Workers run our own entry, not the parent's script, so the library works from any host app.
  cluster.setupPrimary({ exec: fileURLToPath(new URL('./cluster-worker.js', import.meta.url)) });
  const env = { [WORKER_OPTIONS_ENV]: JSON.stringify({ ...options, workers: 1 }) };
  const workers = new Set<Worker>();
  const metrics = serveClusterMetrics(() => [...workers]);
  let closing = false;

  const fork = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const worker = cluster.fork(env);
      workers.add(worker);
      worker.on('message', (message: unknown) => {
        if (!isWorkerMessage(message)) {
          metrics.onMessage(worker, message);
        } else if (message.type === 'listening') {
          resolve(message.url);
        } else {
          reject(new LstmkitError(message.code as ErrorCode, message.message));
        }
      });
      worker.on('exit', (code, signal) => {
        workers.delete(worker);
        metrics.retire(worker);
        reject(
          new LstmkitError(
            'WORKER_FAILED',
            `worker exited during startup (code ${code}, signal ${signal})`,
          ),
        );
        if (closing) return;
        // `pid` is the primary's own, in every line; the worker's is `workerPid`.
        log?.error({ workerPid: worker.process.pid, code, signal }, 'worker exited; restarting');
        // A delay keeps a worker that dies at once from spinning the CPU.
        setTimeout(() => {
          if (!closing)
            fork().then(
              () => log?.info('worker restarted'),
              (error: unknown) => log?.error({ err: error }, 'worker restart failed'),
            );
        }, RESTART_DELAY_MS).unref();
      });
    });

  // Each worker drains on SIGTERM within drainTimeoutMs; one that hangs past that is killed.
  const stopAll = async (): Promise<void> => {
    closing = true;
    await Promise.all(
      [...workers].map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.isDead()) return resolve();
            const kill = setTimeout(() => {
              log?.error({ workerPid: worker.process.pid }, 'worker did not drain in time; killed');
              worker.process.kill('SIGKILL');
            }, options.drainTimeoutMs + WORKER_EXIT_GRACE_MS);
            worker.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            worker.process.kill('SIGTERM');
          }),
      ),
    );
  };

  let urls: string[];
  try {
    urls = await Promise.all(Array.from({ length: count }, fork));
  } catch (error) {
    await stopAll();
    throw error;
  }
  log?.info({ url: urls[0], workers: count }, 'cluster listening');
  return { url: urls[0]!, close: stopAll };
}
