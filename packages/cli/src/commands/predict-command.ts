import { inferenceDefaults } from '@lstmkit/model/config';
import { Command } from 'commander';
import type { Context } from '../context.js';
import { type BackendFlag, backendOption } from '../options/data-options.js';
import { integerIn } from '../options/flag-parsers.js';
import { requireFlags } from '../options/required.js';

export interface PredictFlags {
  model: string;
  file?: string;
  batchSize?: number;
  backend: BackendFlag;
  json?: boolean;
}

const examples = `
Examples:
  $ lstmkit predict --model runs/textbook "The film was good" "It was not good"
  $ lstmkit predict --model runs/textbook --file sentences.txt --json > predictions.jsonl
  $ cat sentences.txt | lstmkit predict --model runs/textbook

Input is the texts given as arguments, else one text per line of --file (or '-' for stdin),
else one per line of stdin. Output is one line per input, in order: label, its probability
and the text; with --json one JSON object per line (label, labelIndex, probability,
probabilities, knownTokens, text), where probability is P(positive label) for binary models.
A text with no token in the model's vocabulary (emoji, punctuation, unseen words only) is
marked "(no known tokens)" (knownTokens 0): its answer is only the model's prior.`;

export function predictCommand(ctx: Context): Command {
  return new Command('predict')
    .summary('classify texts with a trained model')
    .description('Classify texts with a model bundle: one result per input, in order.')
    .argument('[text...]', 'texts to classify (quote each one)')
    .option('-m, --model <dir>', 'model bundle directory (written by lstmkit train) (required)')
    .option('-f, --file <path>', "read one text per line from a file ('-' for stdin)")
    .option(
      '--batch-size <n>',
      `texts per forward pass (default ${inferenceDefaults.batchSize})`,
      integerIn(1, 100_000),
    )
    .addOption(backendOption())
    .option('--json', 'print JSON lines')
    .addHelpText('after', examples)
    .action(async (texts: string[], flags: PredictFlags) => {
      requireFlags('lstmkit predict', flags, [['model', '--model <dir>']]);
      const { runPredict } = await import('./predict-action.js');
      await runPredict(texts, flags, ctx);
    });
}
