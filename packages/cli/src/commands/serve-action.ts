import type { Context } from '../context.js';
import { CliError } from '../errors/cli-error.js';
import { onInterrupt } from '../interrupt.js';
import { checkModelDir } from './load-classifier.js';
import type { ServeFlags } from './serve-command.js';

/** The part of @lstmkit/server's API the CLI uses. */
type StartServer = (options: {
  modelDir: string;
  host?: string;
  port?: number;
  workers?: number;
  maxBatchSize?: number;
  cors?: boolean | string;
  logger?: boolean;
}) => Promise<{ url: string; close(): Promise<void> }>;

/**
 * @lstmkit/server is loaded only when serving (it brings fastify); a build without it
 * reports SERVER_UNAVAILABLE instead of failing at startup.
 */
async function importServer(): Promise<{ startServer?: StartServer }> {
  const specifier = '@lstmkit/server';
  try {
    return (await import(specifier)) as { startServer?: StartServer };
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
  const modelDir = await checkModelDir(flags.model, ctx);
  const { startServer } = await importServer();
  if (typeof startServer !== 'function') {
    throw new CliError(
      'SERVER_UNAVAILABLE',
      'serving is not available: @lstmkit/server has no startServer',
      {
        hint: 'update @lstmkit/server, or use lstmkit predict',
      },
    );
  }
  const s = ctx.err;
  ctx.info(s.dim(`loading ${ctx.displayPath(modelDir)}…`));
  const server = await startServer({
    modelDir,
    host: flags.host,
    port: flags.port,
    ...(flags.workers !== undefined && { workers: flags.workers }),
    ...(flags.maxBatchSize !== undefined && { maxBatchSize: flags.maxBatchSize }),
    ...(flags.cors !== undefined && { cors: flags.cors }),
    logger: flags.log === true,
  });
  // The URL is the result (stdout), so scripts can read it; the rest is help for people.
  ctx.print(server.url);
  ctx.info(`${s.green('✓')} serving ${s.bold(ctx.displayPath(modelDir))} at ${s.cyan(server.url)}`);
  ctx.info(
    s.dim(
      `  try: curl -s ${server.url}/predict -H 'content-type: application/json' -d '{"input": "The film was good"}'`,
    ),
  );
  ctx.info(s.dim('  Ctrl-C to stop'));

  await new Promise<void>((done) => {
    const remove = onInterrupt(() => {
      ctx.info(s.dim('stopping (finishing in-flight requests)…'));
      const finish = (): void => {
        remove();
        done();
      };
      server.close().then(finish, finish);
    });
  });
}
