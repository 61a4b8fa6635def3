import { createInterface } from 'node:readline';
import type { Classifier, Prediction } from '@lstmkit/model';
import { inferenceDefaults } from '@lstmkit/model/config';
import type { Context } from '../context.js';
import { usageError } from '../errors/cli-error.js';
import { ExitCode } from '../errors/exit-codes.js';
import { onInterrupt } from '../interrupt.js';
import { formatCount } from '../render/format.js';
import { createStyle, type Style } from '../render/style.js';
import { loadClassifier } from './load-classifier.js';
import type { PredictFlags } from './predict-command.js';
import {
  checkOutputPath,
  fileSink,
  type PredictFormat,
  resolveFormat,
  stdoutSink,
} from './predict-output.js';
import { argumentInput, fileInput, stdinInput, type TextInput } from './read-lines.js';
import { stderrProgress } from './stderr-progress.js';

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

/** `label<TAB>its probability<TAB>text`: the text last, as read (it may hold tabs itself). */
export function predictionTsv(text: string, prediction: Prediction): string {
  const confidence = prediction.probabilities[prediction.labelIndex] ?? prediction.probability;
  return `${prediction.label}\t${confidence.toFixed(6)}\t${text}`;
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

/** The input, or 'interactive' for a terminal on stdin with nothing else given. */
async function openInput(
  texts: string[],
  flags: PredictFlags,
  ctx: Context,
): Promise<TextInput | 'interactive'> {
  if (flags.input !== undefined && flags.file !== undefined) {
    throw usageError('give --input or --file, not both (--file is --input with text output)');
  }
  const path = flags.input ?? flags.file;
  const flag = flags.input !== undefined ? '--input' : '--file';
  if (texts.length > 0 && path !== undefined) {
    throw usageError(`give texts as arguments or ${flag}, not both`);
  }
  if (texts.length > 0) return argumentInput(texts);
  if (path === '-') return stdinInput(ctx.io.stdin);
  if (path !== undefined) return fileInput(path, ctx.io.cwd, flag);
  if (ctx.io.stdin.isTTY) return 'interactive';
  return stdinInput(ctx.io.stdin);
}

/** Groups texts into arrays of `size`, reading no further ahead than one batch. */
async function* batches(texts: AsyncIterable<string>, size: number): AsyncGenerator<string[]> {
  let batch: string[] = [];
  for await (const text of texts) {
    batch.push(text);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** One output line per text, in the chosen format. */
function formatter(
  format: PredictFormat,
  classifier: Classifier,
  style: Style,
): (text: string, prediction: Prediction) => string {
  if (format === 'jsonl') return predictionJson;
  if (format === 'tsv') return predictionTsv;
  const labelWidth = Math.max(...classifier.bundle.labelNames.map((name) => name.length));
  return (text, prediction) => predictionLine(text, prediction, labelWidth, style);
}

/**
 * Streams the input through the classifier a batch at a time into the sink: memory holds one
 * batch of texts and its output lines, whatever the input's size. Progress goes to stderr only
 * when the output is a file: predictions on stdout often share the terminal with stderr.
 */
async function predictStream(input: TextInput, flags: PredictFlags, ctx: Context): Promise<void> {
  const format = resolveFormat(flags);
  const outputPath =
    flags.output === undefined
      ? undefined
      : await checkOutputPath(
          flags.output,
          ctx.io.cwd,
          flags.input ?? flags.file,
          flags.force === true,
        );
  const batchSize = flags.batchSize ?? inferenceDefaults.batchSize;
  const pending = batches(input.texts(), batchSize);
  const first = await pending.next();
  if (first.done) {
    ctx.warn(`no input texts (${input.name} was empty)`);
    if (outputPath !== undefined) await fileSink(outputPath).commit();
    return;
  }

  const classifier = await loadClassifier(flags.model, flags.backend, ctx);
  const sink = outputPath === undefined ? stdoutSink(ctx.io.stdout) : fileSink(outputPath);
  const line = formatter(
    format,
    classifier,
    outputPath === undefined ? ctx.out : createStyle(false),
  );
  const renderer = outputPath === undefined ? undefined : stderrProgress(ctx);
  const started = performance.now();
  let lines = 0;
  const progress = (finished: boolean) =>
    renderer?.handle({
      type: 'pass',
      pass: 'predict',
      done: input.bytesRead,
      total: input.bytes,
      unit: 'bytes',
      seconds: (performance.now() - started) / 1000,
      items: { count: lines, name: 'lines' },
      finished,
    });
  let stopped = false;
  const removeHandlers = onInterrupt(() => {
    stopped = true;
  });
  let committed = false;
  try {
    progress(false);
    for (
      let next: IteratorResult<string[]> = first;
      !next.done && !stopped;
      next = await pending.next()
    ) {
      const texts = next.value;
      const predictions = classifier.predict(texts, { batchSize });
      await sink.write(`${predictions.map((p, i) => line(texts[i] ?? '', p)).join('\n')}\n`);
      lines += texts.length;
      progress(false);
    }
    if (stopped) {
      renderer?.finish();
      ctx.info(
        ctx.err.yellow(
          `interrupted after ${formatCount(lines)} lines; ${outputPath === undefined ? 'output stops here' : 'nothing written'}`,
        ),
      );
      ctx.exitCode = ExitCode.interrupted;
      return;
    }
    await sink.commit();
    committed = true;
    progress(true);
    if (outputPath !== undefined)
      ctx.info(
        `wrote ${formatCount(lines)} predictions (${format}) to ${ctx.displayPath(outputPath)}`,
      );
  } finally {
    removeHandlers();
    renderer?.finish();
    if (!committed) await sink.abort();
    classifier.dispose();
  }
}

async function predictInteractive(flags: PredictFlags, ctx: Context): Promise<void> {
  const classifier = await loadClassifier(flags.model, flags.backend, ctx);
  try {
    ctx.info(
      ctx.err.dim(
        `labels: ${classifier.bundle.labelNames.join(', ')}. Type a text and press Enter; Ctrl-D to quit.`,
      ),
    );
    const labelWidth = Math.max(...classifier.bundle.labelNames.map((name) => name.length));
    const rl = createInterface({ input: ctx.io.stdin, terminal: false });
    for await (const text of rl) {
      if (text.trim() === '') continue;
      const [prediction] = classifier.predict([text]);
      if (prediction === undefined) continue;
      // Typed at a terminal, the text is already on screen: show only the answer.
      const answer = flags.json
        ? predictionJson(text, prediction)
        : `${ctx.out.dim('→')} ${predictionLine('', prediction, labelWidth, ctx.out).trimEnd()}`;
      ctx.print(answer);
    }
  } finally {
    classifier.dispose();
  }
}

export async function runPredict(
  texts: string[],
  flags: PredictFlags,
  ctx: Context,
): Promise<void> {
  const input = await openInput(texts, flags, ctx);
  if (input !== 'interactive') return predictStream(input, flags, ctx);
  if (flags.output !== undefined) {
    throw usageError('--output needs texts to read: give --input FILE (or - for stdin)');
  }
  return predictInteractive(flags, ctx);
}
