import { Command, Option } from 'commander';
import type { Context } from '../context.js';
import {
  addDataOptions,
  type BackendFlag,
  backendOption,
  type DataFlags,
  loadOptionsFrom,
} from '../options/data-options.js';
import { requireFlags } from '../options/required.js';

export interface EvaluateFlags extends DataFlags {
  model: string;
  data: string;
  split: 'test' | 'all';
  backend: BackendFlag;
  json?: boolean;
}

const examples = `
Examples:
  $ lstmkit evaluate --model runs/textbook --data uci-sentiment
  $ lstmkit evaluate --model runs/textbook --data other-reviews.tsv --split all --json

With --split test (the default) the test split is recreated exactly as in training (the
bundle records the split seed and fractions; datasets with their own test split use it).
--split all scores every example, e.g. a different dataset.`;

export function evaluateCommand(ctx: Context): Command {
  const command = new Command('evaluate')
    .summary('score a trained model on labelled data')
    .description(
      'Score a model bundle on labelled data: accuracy, precision, recall, F1 and a confusion matrix.',
    )
    .option('-m, --model <dir>', 'model bundle directory (written by lstmkit train) (required)')
    .option('-d, --data <name|path>', 'dataset name or path (required)');
  addDataOptions(command);
  command
    .addOption(
      new Option('--split <split>', 'which examples to score')
        .choices(['test', 'all'])
        .default('test'),
    )
    .addOption(backendOption())
    .option('--json', 'print metrics as JSON on stdout')
    .addHelpText('after', examples)
    .action(async (flags: EvaluateFlags) => {
      requireFlags('lstmkit evaluate', flags, [
        ['model', '--model <dir>'],
        ['data', '--data <name|path>'],
      ]);
      const load = loadOptionsFrom(flags.data, flags);
      const { runEvaluate } = await import('./evaluate-action.js');
      await runEvaluate({ ...flags, load }, ctx);
    });
  return command;
}
