#!/usr/bin/env node
// The runnable prediction server. Configured by environment variables (MODEL_DIR, PORT, HOST,
// WORKERS, ...) or the equivalent flags (--model-dir, --port, ...); flags win.
import { parseArgs } from 'node:util';
import { serverOptionsFromEnv, startServer } from '@lstmkit/server';

const flags = [
  'model-dir',
  'port',
  'host',
  'workers',
  'max-batch-size',
  'max-wait-ms',
  'max-items',
  'max-text-length',
  'body-limit',
  'max-queued-texts',
  'max-connections',
  'headers-timeout-ms',
  'request-timeout-ms',
  'drain-timeout-ms',
  'cors',
  'log-level',
];

const usage = `Usage: node apps/server/index.mjs [--model-dir DIR] [--port N] [--host ADDR] [--workers N]
  [--max-batch-size N] [--max-wait-ms N] [--max-items N] [--max-text-length N] [--body-limit BYTES]
  [--max-queued-texts N] [--max-connections N] [--headers-timeout-ms MS] [--request-timeout-ms MS]
  [--drain-timeout-ms MS] [--cors true|ORIGINS] [--log-level LEVEL]
Each flag has an environment variable of the same name in UPPER_SNAKE_CASE (MODEL_DIR, PORT, ...).`;

// LstmkitErrors (and Node's system errors) carry a stable code; anything else is a bug: stack.
function fail(error) {
  if (typeof error?.code === 'string') {
    process.stderr.write(`error ${error.code}: ${error.message}\n`);
    if (error.hint) process.stderr.write(`hint: ${error.hint}\n`);
  } else {
    process.stderr.write(`${error?.stack ?? error}\n`);
  }
  process.exit(1);
}

try {
  const { values } = parseArgs({
    options: {
      ...Object.fromEntries(flags.map((flag) => [flag, { type: 'string' }])),
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  // Flags become their environment names so both go through one parser and one validator.
  const env = { ...process.env };
  for (const flag of flags) {
    if (values[flag] !== undefined) env[flag.toUpperCase().replaceAll('-', '_')] = values[flag];
  }
  const server = await startServer(serverOptionsFromEnv(env));

  let stopping = false;
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${signal}: finishing in-flight requests\n`);
    server.close().then(
      () => process.exit(0),
      (error) => fail(error),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
} catch (error) {
  fail(error);
}
