import type { FastifyInstance } from 'fastify';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Graceful close: every request sent before `close()` is answered. fastify's close marks
 * responses `Connection: close`, then runs preClose hooks, then `server.close()`, which stops
 * listening and destroys connections with no request in progress. Before that, this hook lets
 * the event loop turn a few times, so connections the kernel has already accepted are taken
 * and requests their clients have already sent are read: they are in progress, not idle.
 * Connections still open `drainTimeoutMs` after the close began are cut.
 */
export function drainOnClose(
  app: FastifyInstance,
  batcher: { drain(): Promise<void> },
  drainTimeoutMs: number,
): void {
  app.addHook('preClose', async () => {
    const started = performance.now();
    const cut = setTimeout(() => {
      app.log.warn({ drainTimeoutMs }, 'drain timeout: closing the connections still open');
      app.server.closeAllConnections();
    }, drainTimeoutMs);
    app.server.once('close', () => clearTimeout(cut));
    // Queued texts run now rather than after maxWaitMs.
    void batcher.drain();
    // One turn accepts what the kernel queued, the next reads what those clients sent.
    for (let turn = 0; turn < 3; turn++) await nextTurn();
    app.log.info(
      { connections: await connectionCount(app), ms: Math.round(performance.now() - started) },
      'closing: no new connections; answering the requests in progress',
    );
  });
}

function connectionCount(app: FastifyInstance): Promise<number> {
  return new Promise((resolve) => app.server.getConnections((_error, count) => resolve(count)));
}
