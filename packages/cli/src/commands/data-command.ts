import { type PresetName, presetNames, trainDefaults } from '@lstmkit/trainer/config';
import { Command, Option } from 'commander';
import type { Context } from '../context.js';
import { addDataOptions, type DataFlags, loadOptionsFrom } from '../options/data-options.js';

export interface DataCommandFlags extends DataFlags {
  preset: PresetName;
  json?: boolean;
}

const examples = `
Examples:
  $ lstmkit data                      # list the named datasets and where they are looked up
  $ lstmkit data uci-sentiment
  $ lstmkit data reviews.csv --text-column review --label-column sentiment --json

Lengths are counted in tokens after the --preset's cleaning and tokenizer, as training
sees them; the suggested --seq-len covers 95% of examples without truncation.`;

export function dataCommand(ctx: Context): Command {
  const command = new Command('data')
    .summary('show dataset statistics (labels, lengths, vocabulary)')
    .description(
      'Show what a dataset holds: examples per label, token length distribution, vocabulary ' +
        'size and a suggested --seq-len. Without an argument, list the named datasets.',
    )
    .argument('[name|path]', 'dataset name or path');
  addDataOptions(command);
  return command
    .addOption(
      new Option('--preset <name>', 'cleaning and tokenizer to count tokens with')
        .choices(presetNames)
        .default(trainDefaults.preset),
    )
    .option('--json', 'print the statistics as JSON')
    .addHelpText('after', examples)
    .action(async (data: string | undefined, flags: DataCommandFlags) => {
      const { runData, runListDatasets } = await import('./data-action.js');
      if (data === undefined) {
        await runListDatasets(flags, ctx);
        return;
      }
      await runData(data, { ...flags, load: loadOptionsFrom(data, flags) }, ctx);
    });
}
