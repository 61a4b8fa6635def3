import { serverSettings } from '@lstmkit/server';
import { Command } from 'commander';
import type { Context } from '../context.js';
import { usageError } from '../errors/cli-error.js';
import { integerIn, port } from '../options/flag-parsers.js';

export interface ServeFlags {
  model?: string;
  modelsDir?: string;
  port: number;
  host: string;
  workers?: number;
  maxBatchSize?: number;
  cors?: string | true;
  log?: boolean;
  /** false with --no-ui. */
  ui: boolean;
  /** The server's other settings (--max-items, --poll-interval-ms, ...), as typed. */
  [setting: string]: unknown;
}

/** Flags this command spells itself; every other server setting gets its generic flag. */
const ownFlags = new Set(['model-dir', 'port', 'host', 'workers', 'max-batch-size', 'cors']);
// --models-dir stays (as in apps/server); --models is its short spelling here.

const examples = `
Examples:
  $ lstmkit serve --model runs/textbook
  $ lstmkit serve --model runs/textbook --host 0.0.0.0 --port 9000
  $ lstmkit serve --model runs/textbook --port 0 --workers 2   # any free port, 2 processes
  $ lstmkit serve --models models --poll-interval-ms 2000   # models/{name}/{version}/
  $ curl -s localhost:8080/predict -H 'content-type: application/json' \\
      -d '{"input": ["The film was good", "It was not good"]}'

The web page (try the model, its training report, train in the browser) is at the
server's URL; the bundle's files are at /bundle/, its report at /report/.

The server's URL is printed on stdout once it listens (useful with --port 0).

Ctrl-C (or SIGTERM) stops the server after in-flight requests finish.`;

export function serveCommand(ctx: Context): Command {
  const command = new Command('serve')
    .summary('serve a trained model over HTTP')
    .description(
      'Serve a model bundle, or a repository of versioned models, over HTTP: /predict, KServe v2, TensorFlow Serving and Hugging Face routes.',
    )
    .option('-m, --model <dir>', 'model bundle directory (written by lstmkit train)')
    .option('--model-dir <dir>', 'same as --model')
    .option('--models <dir>', 'model repository: DIR/{name}/{version}/ bundles (TF Serving layout)')
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
    .option('--no-ui', 'serve only the API, not the web page at / (try, report, train)');
  for (const setting of serverSettings) {
    if (!ownFlags.has(setting.flag)) {
      command.option(`--${setting.flag} <value>`, setting.description);
    }
  }
  return command.addHelpText('after', examples).action(async (flags: ServeFlags) => {
    const model = flags.model ?? (flags.modelDir as string | undefined);
    const modelsDir = (flags.models as string | undefined) ?? flags.modelsDir;
    if ((model === undefined) === (modelsDir === undefined)) {
      throw usageError(
        model === undefined
          ? 'missing required flag --model <dir> (or --models <dir>)'
          : 'give --model or --models, not both',
        "see 'lstmkit serve --help'",
      );
    }
    const { runServe } = await import('./serve-action.js');
    await runServe({ ...flags, model, modelsDir }, ctx);
  });
}

/** The generic settings' values as typed, keyed by option name, for the server's parser. */
export function genericSettings(flags: ServeFlags): Record<string, string> {
  const values: Record<string, string> = {};
  for (const setting of serverSettings) {
    if (ownFlags.has(setting.flag)) continue;
    const key = setting.flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const value = flags[key];
    if (typeof value === 'string') values[setting.option] = value;
  }
  return values;
}
