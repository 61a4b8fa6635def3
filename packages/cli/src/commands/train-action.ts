import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LstmkitError } from '@lstmkit/preprocess';
import type { OutputPaths, TrainEvent, TrainResult } from '@lstmkit/trainer';
import type { Context } from '../context.js';
import { ExitCode } from '../errors/exit-codes.js';
import { onInterrupt } from '../interrupt.js';
import type { TrainCliOptions } from '../options/train-options.js';
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatLoss,
  shellQuote,
} from '../render/format.js';
import { renderMetrics } from '../render/metrics.js';
import { renderTable } from '../render/table.js';
import { watchSkipped } from './report-skipped.js';
import { stderrProgress } from './stderr-progress.js';
import { describeRecipe } from './train-recipe.js';

/** The command line that continues this run. */
export function resumeCommand(argv: readonly string[]): string {
  const args = argv.filter((arg) => arg !== '--resume' && arg !== '--force');
  return ['lstmkit', ...args.map(shellQuote), '--resume'].join(' ');
}

/**
 * Before loading any data: the trainer refuses an --out (or its .run/.report siblings) holding
 * anything it did not write; without --resume it would start over and delete `<out>.run/`, so
 * an interrupted run is kept unless --force says otherwise; replacing a bundle is said aloud.
 */
async function checkOutDir(options: TrainCliOptions, ctx: Context): Promise<OutputPaths> {
  const { checkOutputs } = await import('@lstmkit/trainer');
  const paths = await checkOutputs(options.outDir);
  const out = ctx.displayPath(options.outDir);
  if (paths.bundleDir !== options.outDir) {
    ctx.warn(
      `${out} is a symbolic link; writing into its target ${ctx.displayPath(paths.bundleDir)}`,
    );
  }
  if (!options.resume && !options.force && existsSync(paths.runDir)) {
    throw new LstmkitError('USAGE_INTERRUPTED_RUN', `${out} has an interrupted run (${out}.run)`, {
      hint: `add --resume to continue it, or --force to start over: ${resumeCommand(ctx.argv)}`,
    });
  }
  if (!options.resume && existsSync(join(paths.bundleDir, 'manifest.json'))) {
    ctx.warn(`${out} already holds a model bundle; the first checkpoint of this run replaces it`);
  }
  return paths;
}

export async function runTrain(options: TrainCliOptions, ctx: Context): Promise<void> {
  const paths = await checkOutDir(options, ctx);
  const renderer = stderrProgress(ctx, paths.dataDir);
  const s = ctx.err;
  const started = performance.now();

  renderer.setStatus(`opening ${options.data}…`);
  const { openDataset } = await import('@lstmkit/preprocess/node');
  const skipped = watchSkipped(await openDataset(options.data, options.load));
  const dataset = skipped.source;
  renderer.finish();
  ctx.info(
    `${s.bold('data')}  ${dataset.name}${dataset.bytes === undefined ? '' : ` (${formatBytes(dataset.bytes)})`}`,
  );

  renderer.setStatus('starting TensorFlow.js…');
  const [{ initBackend }, { train }] = await Promise.all([
    import('@lstmkit/model'),
    import('@lstmkit/trainer'),
  ]);
  await initBackend({
    backend: options.backend,
    // "lstmkit: backend wasm (simd, ...)" -> "backend wasm (simd, ...)", in line with the others.
    log: (line) =>
      renderer.log(
        line.replace(/^lstmkit: backend (\S+)/, (_, name) => `${s.bold('backend')} ${name}`),
      ),
  });
  renderer.setStatus(options.resume ? 'restoring the saved run…' : 'building the model…');

  const controller = new AbortController();
  const removeHandlers = onInterrupt(
    () => {
      renderer.log(
        s.yellow(
          'stopping after the current step, keeping the best checkpoint… (Ctrl-C again to quit now)',
        ),
      );
      controller.abort();
    },
    () => {
      renderer.finish();
      ctx.info(s.red('quit without saving the run state'));
    },
  );

  let result: TrainResult;
  try {
    result = await train({
      dataset,
      preset: options.preset,
      model: options.model,
      vocabulary: options.vocabulary,
      ...(options.sequenceLength !== undefined && {
        pipeline: { sequence: { length: options.sequenceLength } },
      }),
      ...(options.epochs !== undefined && { epochs: options.epochs }),
      ...(options.batchSize !== undefined && { batchSize: options.batchSize }),
      ...(options.learningRate !== undefined && { learningRate: options.learningRate }),
      ...(options.patience !== undefined && { patience: options.patience }),
      ...(options.evalEvery !== undefined && { evalEvery: options.evalEvery }),
      ...(options.seed !== undefined && { seed: options.seed }),
      ...options.features,
      backend: options.backend,
      outDir: options.outDir,
      resume: options.resume,
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'start') {
          renderer.finish();
          skipped.report(ctx);
          ctx.info(
            `${s.bold('labels')} ${event.labelNames.length} (${event.labelNames.join(', ')})${event.validationToTrain > 0 ? s.dim(` · validation capped at ${formatCount(event.validationSize)} (--max-validation); ${formatCount(event.validationToTrain)} more trained on`) : ''}`,
          );
          const recipe = describeRecipe(event.config);
          renderer.log(`${s.bold('model')} ${recipe.model}`);
          renderer.log(`${s.bold('optim')} ${recipe.training}`);
        }
        if (event.type === 'embeddings') renderer.log(describeCoverage(event, ctx));
        renderer.handle(event);
      },
    });
  } finally {
    removeHandlers();
    renderer.finish();
  }

  const seconds = (performance.now() - started) / 1000;
  const labels = result.labelNames;
  if (options.json) {
    ctx.print(JSON.stringify({ ...result, dataset: dataset.name, seconds }));
  }
  if (result.interrupted) {
    printInterrupted(result, ctx);
    ctx.exitCode = ExitCode.interrupted;
    return;
  }
  if (!options.json) printSummary(result, labels, options, seconds, ctx);
}

/** `vectors 100-d wink-json: 4,349 of 4,635 words (92.8% of tokens); missing: i, a, ...` */
function describeCoverage(
  event: Extract<TrainEvent, { type: 'embeddings' }>,
  ctx: Context,
): string {
  const c = event.coverage;
  const missing = c.topMissing.slice(0, 10).map((m) => m.word);
  return `${ctx.err.bold('vectors')} ${event.dimensions}-d from ${ctx.displayPath(event.path)}: ${formatCount(c.found)} of ${formatCount(c.words)} words (${(100 * c.tokenCoverage).toFixed(1)}% of tokens)${missing.length > 0 ? `; most frequent missing: ${missing.join(' ')}` : ''}`;
}

function printInterrupted(result: TrainResult, ctx: Context): void {
  const s = ctx.err;
  const at = result.stoppedAt;
  const where =
    at.globalStep === 0
      ? 'before the first step'
      : `at epoch ${at.epoch}, step ${at.step}/${at.stepsPerEpoch}`;
  ctx.info();
  ctx.info(`${s.yellow(s.bold('interrupted'))} ${where}; the run state is saved.`);
  if (result.bestEpoch > 0) {
    ctx.info(
      `  best checkpoint (epoch ${result.bestEpoch}, val loss ${formatLoss(result.validation.loss)}) kept in ${ctx.displayPath(result.bundleDir)}`,
    );
  } else {
    ctx.info('  no checkpoint yet (no validation has run).');
  }
  ctx.info(`  resume with: ${s.cyan(resumeCommand(ctx.argv))}`);
}

function printSummary(
  result: TrainResult,
  labels: readonly string[],
  options: TrainCliOptions,
  seconds: number,
  ctx: Context,
): void {
  const s = ctx.out;
  const how = result.stoppedEarly
    ? `stopped early after epoch ${result.epochsRun}`
    : `${result.epochsRun} epoch${result.epochsRun === 1 ? '' : 's'}`;
  ctx.print(
    `${s.green('✓')} ${s.bold('trained')} in ${formatDuration(seconds)} · ${how} · best epoch ${result.bestEpoch} · ${formatDuration(result.secondsPerEpoch)}/epoch`,
  );
  ctx.print();
  ctx.print(
    s.bold(`Test metrics`) +
      s.dim(` (best checkpoint, ${formatCount(result.test.count)} held-out examples)`),
  );
  ctx.print(renderMetrics(result.test, labels, s, 2, result.threshold).join('\n'));
  ctx.print();
  ctx.print(s.bold('Files'));
  ctx.print(
    renderTable(
      [
        ['bundle', ctx.displayPath(result.bundleDir)],
        ['report', ctx.displayPath(result.reportPath)],
        ['history', ctx.displayPath(result.historyPath)],
        ['plot', ctx.displayPath(result.plotPath)],
      ],
      { indent: 2 },
    ).join('\n'),
  );
  const model = shellQuote(ctx.displayPath(result.bundleDir));
  ctx.print();
  ctx.print(s.bold('Next'));
  ctx.print(`  lstmkit evaluate --model ${model} --data ${shellQuote(options.data)}`);
  ctx.print(`  lstmkit predict --model ${model} "some text to classify"`);
  ctx.print(`  lstmkit serve --model ${model}`);
}
