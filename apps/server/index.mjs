#!/usr/bin/env node
// The runnable prediction server. Configured by LSTMKIT_* environment variables
// (LSTMKIT_MODEL_DIR, LSTMKIT_PORT, ...) or the equivalent flags (--model-dir, --port, ...);
// flags win. Both lists come from @lstmkit/server's serverSettings.
import { parseArgs } from 'node:util';
import {
  serverOptionsFromEnv,
  serverOptionsFromStrings,
  serverSettings,
  startServer,
} from '@lstmkit/server';

const usage = `Usage: node apps/server/index.mjs --model-dir DIR | --models-dir DIR [options]
${serverSettings.map((s) => `  --${s.flag} <value>  (${s.env})`).join('\n')}
Each flag has the environment variable shown; flags win.`;

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
      ...Object.fromEntries(serverSettings.map((s) => [s.flag, { type: 'string' }])),
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  const fromFlags = Object.fromEntries(
    serverSettings
      .filter((s) => values[s.flag] !== undefined)
      .map((s) => [s.option, values[s.flag]]),
  );
  // A model named by flag replaces, rather than joins, one named in the environment.
  const fromEnv = serverOptionsFromEnv(process.env);
  if (fromFlags.modelDir !== undefined || fromFlags.modelsDir !== undefined) {
    delete fromEnv.modelDir;
    delete fromEnv.modelsDir;
  }
  const server = await startServer({ ...fromEnv, ...serverOptionsFromStrings(fromFlags) });

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
