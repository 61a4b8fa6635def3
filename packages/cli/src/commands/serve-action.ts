import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context } from '../context.js';
import { onInterrupt } from '../interrupt.js';
import { genericSettings, type ServeFlags } from './serve-command.js';

export async function runServe(flags: ServeFlags, ctx: Context): Promise<void> {
  // The server's loadBundle says what is wrong with the directory, if anything.
  const modelDir = flags.model === undefined ? undefined : resolve(ctx.io.cwd, flags.model);
  const source = modelDir ?? resolve(ctx.io.cwd, flags.modelsDir!);
  // Imported on demand: fastify and the server load only when serving.
  const { serverOptionsFromStrings, startServer } = await import('@lstmkit/server');
  const s = ctx.err;
  const settings = serverOptionsFromStrings(genericSettings(flags));
  // The build copies apps/web's page beside the cli's code (scripts/copy-web.mjs). The page
  // shows one bundle's files, so a model repository is served without it.
  const builtPage = fileURLToPath(new URL('./web/', import.meta.url));
  const wantsPage = flags.ui && modelDir !== undefined;
  const uiDir =
    settings.uiDir ?? (wantsPage && existsSync(`${builtPage}index.html`) ? builtPage : undefined);
  if (wantsPage && uiDir === undefined) ctx.info(s.dim('web page not built; serving the API only'));
  ctx.info(s.dim(`loading ${ctx.displayPath(source)}…`));
  const server = await startServer({
    ...settings,
    ...(modelDir !== undefined ? { modelDir } : { modelsDir: source }),
    host: flags.host,
    port: flags.port,
    ...(flags.workers !== undefined && { workers: flags.workers }),
    ...(flags.maxBatchSize !== undefined && { maxBatchSize: flags.maxBatchSize }),
    ...(flags.cors !== undefined && { cors: flags.cors }),
    logger: settings.logger ?? flags.log === true,
    ...(uiDir !== undefined && { uiDir }),
  });
  // The URL is the result (stdout), so scripts can read it; the rest is help for people.
  ctx.print(server.url);
  ctx.info(`${s.green('✓')} serving ${s.bold(ctx.displayPath(source))} at ${s.cyan(server.url)}`);
  if (uiDir !== undefined) ctx.info(s.dim(`  web page: ${server.url}/`));
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
