import { resolve } from 'node:path';
import type { Context } from '../context.js';
import { CliError } from '../errors/cli-error.js';
import { onInterrupt } from '../interrupt.js';
import { loadClassifier } from './load-classifier.js';
import type { ServeFlags } from './serve-command.js';

type StartServer = (options: {
  modelDir: string;
  host?: string;
  port?: number;
}) => Promise<{ url: string; close(): Promise<void> }>;

/** @lstmkit/server is optional at run time: a build without it reports SERVER_UNAVAILABLE. */
async function importServer(): Promise<unknown> {
  const specifier = '@lstmkit/server';
  try {
    return await import(specifier);
  } catch (error) {
    throw new CliError(
      'SERVER_UNAVAILABLE',
      'serving is not available: @lstmkit/server could not be loaded',
      {
        hint: 'install @lstmkit/server next to @lstmkit/cli, or use lstmkit predict',
        cause: error,
      },
    );
  }
}

export async function runServe(flags: ServeFlags, ctx: Context): Promise<void> {
  // Check the bundle first, so a bad --model gives the same clear error as predict.
  const classifier = await loadClassifier(flags.model, 'auto', ctx);
  const labels = classifier.bundle.labelNames;
  classifier.dispose();

  const server = (await importServer()) as { startServer?: StartServer };
  if (typeof server.startServer !== 'function') {
    throw new CliError(
      'SERVER_UNAVAILABLE',
      'serving is not available in this build: @lstmkit/server has no startServer',
      {
        hint: 'use lstmkit predict meanwhile, or update @lstmkit/server',
      },
    );
  }
  const s = ctx.err;
  ctx.info(s.dim(`loading ${ctx.displayPath(resolve(ctx.io.cwd, flags.model))}…`));
  const { url, close } = await server.startServer({
    modelDir: resolve(ctx.io.cwd, flags.model),
    host: flags.host,
    port: flags.port,
  });
  ctx.print(
    `${s.green('✓')} serving ${s.bold(flags.model)} (labels: ${labels.join(', ')}) at ${s.cyan(url)}`,
  );
  ctx.info(
    s.dim(
      `  try: curl -s ${url}/predict -H 'content-type: application/json' -d '{"texts":["The film was good"]}'`,
    ),
  );
  ctx.info(s.dim('  Ctrl-C to stop'));

  await new Promise<void>((done) => {
    const remove = onInterrupt(() => {
      ctx.info(s.dim('stopping…'));
      close().then(
        () => {
          remove();
          done();
        },
        () => {
          remove();
          done();
        },
      );
    });
  });
}
