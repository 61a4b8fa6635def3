import { Command } from 'commander';
import type { Context } from '../context.js';
import { port } from '../options/flag-parsers.js';
import { requireFlags } from '../options/required.js';

export interface ServeFlags {
  model: string;
  port: number;
  host: string;
}

const examples = `
Examples:
  $ lstmkit serve --model runs/textbook
  $ lstmkit serve --model runs/textbook --host 0.0.0.0 --port 9000
  $ curl -s localhost:8080/predict -H 'content-type: application/json' \\
      -d '{"texts": ["The film was good"]}'

Ctrl-C (or SIGTERM) stops the server after in-flight requests finish.`;

export function serveCommand(ctx: Context): Command {
  return new Command('serve')
    .summary('serve a trained model over HTTP')
    .description('Serve a model bundle over HTTP (batched predictions, health check).')
    .option('-m, --model <dir>', 'model bundle directory (written by lstmkit train) (required)')
    .option('-p, --port <port>', 'port to listen on (0: any free port)', port, 8080)
    .option('--host <host>', 'address to bind (0.0.0.0 for every interface)', '127.0.0.1')
    .addHelpText('after', examples)
    .action(async (flags: ServeFlags) => {
      requireFlags('lstmkit serve', flags, [['model', '--model <dir>']]);
      const { runServe } = await import('./serve-action.js');
      await runServe(flags, ctx);
    });
}
