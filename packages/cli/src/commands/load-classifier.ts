import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Classifier } from '@lstmkit/model';
import { LstmkitError } from '@lstmkit/preprocess';
import type { Context } from '../context.js';
import type { BackendFlag } from '../options/data-options.js';

/** Resolves --model and checks it is a directory, with the CLI's clearest message if not. */
export async function checkModelDir(modelDir: string, ctx: Context): Promise<string> {
  const dir = resolve(ctx.io.cwd, modelDir);
  const info = await stat(dir).catch(() => undefined);
  if (info === undefined) {
    throw new LstmkitError(
      'MODEL_NOT_FOUND',
      `no model bundle at ${modelDir}: the directory does not exist`,
      {
        hint: "train one with 'lstmkit train --data <name|path> --out <dir>', or check --model",
      },
    );
  }
  if (!info.isDirectory()) {
    throw new LstmkitError(
      'MODEL_NOT_FOUND',
      `--model must be a bundle directory, but ${modelDir} is a file`,
      {
        hint: 'pass the directory lstmkit train wrote (it holds manifest.json and model.json)',
      },
    );
  }
  return dir;
}

/** Checks the bundle directory, starts the backend and loads the classifier (verified). */
export async function loadClassifier(
  modelDir: string,
  backend: BackendFlag,
  ctx: Context,
): Promise<Classifier> {
  const dir = await checkModelDir(modelDir, ctx);
  const { initBackend, Classifier } = await import('@lstmkit/model');
  // The backend line is noise next to results; training shows it, --debug shows it here.
  await initBackend({
    backend,
    log: (line) => (ctx.debug ? ctx.info(ctx.err.dim(line)) : undefined),
  });
  return Classifier.load(dir);
}
