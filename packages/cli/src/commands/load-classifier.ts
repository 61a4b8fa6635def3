import { resolve } from 'node:path';
import type { Classifier } from '@lstmkit/model';
import type { Context } from '../context.js';
import type { BackendFlag } from '../options/data-options.js';

/**
 * Starts the backend and loads the classifier (verified). loadBundle's errors say what is
 * wrong with --model (missing, a file, an interrupted save to recover, a damaged file).
 */
export async function loadClassifier(
  modelDir: string,
  backend: BackendFlag,
  ctx: Context,
): Promise<Classifier> {
  const { initBackend, Classifier } = await import('@lstmkit/model');
  // The backend line is noise next to results; training shows it, --debug shows it here.
  await initBackend({
    backend,
    log: (line) => (ctx.debug ? ctx.info(ctx.err.dim(line)) : undefined),
  });
  return Classifier.load(resolve(ctx.io.cwd, modelDir));
}
