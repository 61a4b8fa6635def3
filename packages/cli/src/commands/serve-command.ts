import { Command } from 'commander';
import type { Context } from '../context.js';
import { integerIn, port } from '../options/flag-parsers.js';
import { requireFlags } from '../options/required.js';

export interface ServeFlags {
  model: string;
  port: number;
  host: string;
  workers?: number;
  maxBatchSize?: number;
  cors?: string | true;
  log?: boolean;
  /** false with --no-ui. */
  ui: boolean;
}

const examples = `
Examples:
  $ lstmkit serve --model runs/textbook
  $ lstmkit serve --model runs/textbook --host 0.0.0.0 --port 9000
  $ lstmkit serve --model runs/textbook --port 0 --workers 2   # any free port, 2 processes
  $ curl -s localhost:8080/predict -H 'content-type: application/json' \\
      -d '{"input": ["The film was good", "It was not good"]}'

The web page (try the model, its training report, train in the browser) is at the
server's URL; the bundle's files are at /bundle/, its report at /report/.

The server's URL is printed on stdout once it listens (useful with --port 0).

Ctrl-C (or SIGTERM) stops the server after in-flight requests finish.`;

export function serveCommand(ctx: Context): Command {
  return new Command('serve')
    .summary('serve a trained model over HTTP')
    .description('Serve a model bundle over HTTP (batched predictions, health check).')
    .option('-m, --model <dir>', 'model bundle directory (written by lstmkit train) (required)')
    .option('-p, --port <port>', 'port to listen on (0: any free port)', port, 8080)
    .option('--host <host>', 'address to bind (0.0.0.0 for every interface)', '127.0.0.1')
    .option('--workers <n>', 'worker processes (0: one per core)', integerIn(0, 256))
    .option(
      '--max-batch-size <n>',
      'most texts per forward pass (micro-batching)',
      integerIn(1, 4096),
    )
    .option('--cors [origin]', 'allow cross-origin requests (from any origin, or this one)')
    .option('--log', 'log every request (JSON lines on stdout)')
    .option('--no-ui', 'serve only the API, not the web page at / (try, report, train)')
    .addHelpText('after', examples)
    .action(async (flags: ServeFlags) => {
      requireFlags('lstmkit serve', flags, [['model', '--model <dir>']]);
      const { runServe } = await import('./serve-action.js');
      await runServe(flags, ctx);
    });
}
