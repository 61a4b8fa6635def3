import { inferenceDefaults } from '@lstmkit/model/config';
import { Command, Option } from 'commander';
import type { Context } from '../context.js';
import { type BackendFlag, backendOption } from '../options/data-options.js';
import { integerIn } from '../options/flag-parsers.js';
import { requireFlags } from '../options/required.js';
import { type PredictFormat, predictFormats } from './predict-output.js';

export interface PredictFlags {
  model: string;
  input?: string;
  file?: string;
  output?: string;
  format?: PredictFormat;
  force?: boolean;
  batchSize?: number;
  backend: BackendFlag;
  json?: boolean;
}

const examples = `
Examples:
  $ lstmkit predict --model runs/textbook "The film was good" "It was not good"
  $ lstmkit predict --model runs/textbook --input reviews.txt --output predictions.jsonl
  $ lstmkit predict --model runs/textbook --input reviews.txt --output predictions.tsv --force
  $ zcat reviews.txt.gz | lstmkit predict --model runs/textbook --input - > predictions.jsonl
  $ cat sentences.txt | lstmkit predict --model runs/textbook

Input is the texts given as arguments, else one text per line of --input or --file ('-' for
stdin), else one per line of stdin, else (a terminal) texts typed one at a time. Input streams
in batches of --batch-size: memory stays the same whatever the file's size. A line that is not
UTF-8 (or is over 4 MiB) stops with an error naming the file and line.

Output is one line per input, in order, in a --format:
  text   the label, its probability and the text, aligned (default for texts, --file, stdin)
  jsonl  one JSON object per line (label, labelIndex, probability, probabilities, knownTokens,
         text), where probability is P(positive label) for binary models (default for --input;
         --json is --format jsonl)
  tsv    label<TAB>its probability<TAB>text
--output FILE writes a temp file beside FILE and renames it when complete (an interrupted run
leaves nothing), takes its format from the extension (.jsonl, .json, .tsv) unless --format says,
refuses to replace an existing FILE unless --force, and shows progress with an ETA on stderr.
A text with no token in the model's vocabulary (emoji, punctuation, unseen words only) is
marked "(no known tokens)" (knownTokens 0): its answer is only the model's prior.`;

export function predictCommand(ctx: Context): Command {
  return new Command('predict')
    .summary('classify texts with a trained model')
    .description('Classify texts with a model bundle: one result per input, in order.')
    .argument('[text...]', 'texts to classify (quote each one)')
    .option('-m, --model <dir>', 'model bundle directory (written by lstmkit train) (required)')
    .option('-i, --input <path>', "read one text per line from a file ('-' for stdin)")
    .option('-f, --file <path>', 'the same as --input, with text output unless told otherwise')
    .option('-o, --output <path>', 'write predictions to this file (atomically) instead of stdout')
    .addOption(
      new Option('--format <format>', 'output format (default: see below)').choices(predictFormats),
    )
    .option('--force', 'replace an existing --output file')
    .option(
      '--batch-size <n>',
      `texts per forward pass (default ${inferenceDefaults.batchSize})`,
      integerIn(1, 100_000),
    )
    .addOption(backendOption())
    .option('--json', 'print JSON lines (--format jsonl)')
    .addHelpText('after', examples)
    .action(async (texts: string[], flags: PredictFlags) => {
      requireFlags('lstmkit predict', flags, [['model', '--model <dir>']]);
      const { runPredict } = await import('./predict-action.js');
      await runPredict(texts, flags, ctx);
    });
}
