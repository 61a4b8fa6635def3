#!/usr/bin/env node
import { runCli } from './run-cli.js';

// `lstmkit predict ... | head`: a closed pipe is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // runCli maps every error itself; reaching this is a bug in the CLI.
    process.stderr.write(`lstmkit: internal error: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
