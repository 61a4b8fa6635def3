// Entry of each cluster worker process forked by startServer (see start-server.ts).
import { isLstmkitError } from '@lstmkit/model';
import type { ResolvedServerOptions } from './options.js';
import { startServer, WORKER_OPTIONS_ENV } from './start-server.js';

const send = (message: unknown) => process.send?.(message);
const options = JSON.parse(process.env[WORKER_OPTIONS_ENV] ?? '{}') as ResolvedServerOptions;

startServer(options).then(
  (server) => {
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      server.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    // SIGTERM comes from the primary; SIGINT from a terminal's Ctrl-C to the whole group.
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    send({ type: 'listening', url: server.url });
  },
  (error: unknown) => {
    send(
      isLstmkitError(error)
        ? { type: 'failed', code: error.code, message: error.message }
        : { type: 'failed', code: 'WORKER_FAILED', message: String(error) },
    );
    process.exitCode = 1;
    process.disconnect?.();
  },
);
