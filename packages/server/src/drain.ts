import type { FastifyInstance } from 'fastify';

const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

// Node's default listen backlog: the most connections the kernel can hold for us.
const MAX_PENDING_CONNECTIONS = 511;

/**
 * Graceful close: every request sent before `close()` is answered. fastify's close marks
 * responses `Connection: close`, then runs preClose hooks, then `server.close()`, which stops
 * listening (the kernel resets connections still in its accept queue) and destroys connections
 * with no request in progress. So before that, this hook takes every connection the kernel
 * has queued and reads what their clients have sent: those requests are then in progress,
 * not idle, and are answered. Connections still open `drainTimeoutMs` after the close began
 * are cut.
 */
export function drainOnClose(
  app: FastifyInstance,
  batcher: { pause(): void; drain(): Promise<void> },
  drainTimeoutMs: number,
): void {
  app.addHook('preClose', async () => {
    const started = performance.now();
    const cut = setTimeout(() => {
      app.log.warn({ drainTimeoutMs }, 'drain timeout: closing the connections still open');
      app.server.closeAllConnections();
    }, drainTimeoutMs);
    app.server.once('close', () => clearTimeout(cut));
    // Forward passes wait meanwhile: with them running back to back, Node took about one
    // queued connection per turn, and 50 were still queued (then reset) at a SIGTERM; with the
    // loop idle it takes them all at once.
    batcher.pause();
    let accepted = 0;
    const count = () => {
      accepted += 1;
    };
    app.server.on('connection', count);
    // Turns until some in a row bring no new connection; bounded, as clients may keep connecting.
    for (let turn = 0, quiet = 0; turn < MAX_PENDING_CONNECTIONS && quiet < 3; turn++) {
      const before = accepted;
      await nextTurn();
      quiet = accepted === before ? quiet + 1 : 0;
    }
    app.server.off('connection', count);
    // Queued texts run now rather than after maxWaitMs.
    void batcher.drain();
    app.log.info(
      {
        connections: await connectionCount(app),
        acceptedWhileClosing: accepted,
        ms: Math.round(performance.now() - started),
      },
      'closing: no new connections; answering the requests in progress',
    );
  });
}

function connectionCount(app: FastifyInstance): Promise<number> {
  return new Promise((resolve) => app.server.getConnections((_error, count) => resolve(count)));
}
