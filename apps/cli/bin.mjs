#!/usr/bin/env node
// The runnable `lstmkit` command of this repository: the same CLI as `npm i -g @lstmkit/cli`.
import { runCli } from '@lstmkit/cli';

for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

process.exitCode = await runCli(process.argv.slice(2));
