import { createInterface } from 'node:readline';
import type { Classifier, Prediction } from '@lstmkit/model';
import { inferenceDefaults } from '@lstmkit/model/config';
import type { Context } from '../context.js';
import { usageError } from '../errors/cli-error.js';
import type { Style } from '../render/style.js';
import { loadClassifier } from './load-classifier.js';
import type { PredictFlags } from './predict-command.js';
import { readLinesFromFile, readStream, splitLines } from './read-lines.js';

/** One JSON line: the library's Prediction plus the input text. */
export function predictionJson(text: string, prediction: Prediction): string {
  return JSON.stringify({
    label: prediction.label,
    labelIndex: prediction.labelIndex,
    probability: prediction.probability,
    probabilities: prediction.probabilities,
    knownTokens: prediction.knownTokens,
    text,
  });
}

/**
 * `positive  0.934  The film was good`: the predicted label and its own probability; a text
 * with no token the model knows says so, as its answer is only the model's prior.
 */
export function predictionLine(
  text: string,
  prediction: Prediction,
  labelWidth: number,
  style: Style,
): string {
  const confidence = prediction.probabilities[prediction.labelIndex] ?? prediction.probability;
  const label = prediction.label.padEnd(labelWidth);
  const unknown = prediction.knownTokens === 0 ? `${style.dim('(no known tokens)')}  ` : '';
  return `${style.bold(style.cyan(label))}  ${confidence.toFixed(3)}  ${unknown}${text}`;
}

async function inputTexts(
  texts: string[],
  flags: PredictFlags,
  ctx: Context,
): Promise<string[] | 'interactive'> {
  if (texts.length > 0 && flags.file !== undefined) {
    throw usageError('give texts as arguments or --file, not both');
  }
  if (texts.length > 0) return texts;
  if (flags.file === '-') return splitLines(await readStream(ctx.io.stdin));
  if (flags.file !== undefined) return readLinesFromFile(flags.file, ctx.io.cwd);
  if (ctx.io.stdin.isTTY) return 'interactive';
  return splitLines(await readStream(ctx.io.stdin));
}

function emit(
  texts: readonly string[],
  classifier: Classifier,
  flags: PredictFlags,
  ctx: Context,
  interactive = false,
): void {
  const batchSize = flags.batchSize ?? inferenceDefaults.batchSize;
  const labelWidth = Math.max(...classifier.bundle.labelNames.map((name) => name.length));
  for (let start = 0; start < texts.length; start += batchSize) {
    const chunk = texts.slice(start, start + batchSize);
    const predictions = classifier.predict(chunk, { batchSize });
    const lines = predictions.map((prediction, i) => {
      if (flags.json) return predictionJson(chunk[i] ?? '', prediction);
      // Typed at a terminal, the text is already on screen: show only the answer.
      if (interactive)
        return `${ctx.out.dim('→')} ${predictionLine('', prediction, labelWidth, ctx.out).trimEnd()}`;
      return predictionLine(chunk[i] ?? '', prediction, labelWidth, ctx.out);
    });
    ctx.io.stdout.write(`${lines.join('\n')}\n`);
  }
}

export async function runPredict(
  texts: string[],
  flags: PredictFlags,
  ctx: Context,
): Promise<void> {
  const inputs = await inputTexts(texts, flags, ctx);
  if (Array.isArray(inputs) && inputs.length === 0) {
    ctx.warn('no input texts (the file or stdin was empty)');
    return;
  }
  const classifier = await loadClassifier(flags.model, flags.backend, ctx);
  try {
    if (inputs !== 'interactive') {
      emit(inputs, classifier, flags, ctx);
      return;
    }
    ctx.info(
      ctx.err.dim(
        `labels: ${classifier.bundle.labelNames.join(', ')}. Type a text and press Enter; Ctrl-D to quit.`,
      ),
    );
    const rl = createInterface({ input: ctx.io.stdin, terminal: false });
    for await (const line of rl) {
      if (line.trim() === '') continue;
      emit([line], classifier, flags, ctx, true);
    }
  } finally {
    classifier.dispose();
  }
}
