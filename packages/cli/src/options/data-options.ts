import { type Command, Option } from 'commander';
import { usageError } from '../errors/cli-error.js';

export const datasetFormats = ['tsv', 'csv', 'fasttext', 'folders'] as const;
export type DatasetFormatFlag = (typeof datasetFormats)[number];

/** The flags that say how to read a dataset (train, evaluate, data). */
export interface DataFlags {
  format?: DatasetFormatFlag;
  textColumn?: string;
  labelColumn?: string;
  encoding?: 'utf-8' | 'latin1';
  lenient?: boolean;
}

export function addDataOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--format <format>', 'file format (default: from the file extension)').choices(
        datasetFormats,
      ),
    )
    .option('--text-column <name>', 'CSV column holding the text')
    .option('--label-column <name>', 'CSV column holding the label')
    .addOption(
      new Option('--encoding <encoding>', 'text encoding of data files (default: utf-8)').choices([
        'utf-8',
        'latin1',
      ]),
    )
    .option('--lenient', 'skip malformed records (and report how many) instead of failing');
}

/** Validated `loadDataset` options, from the data flags. */
export function loadOptionsFrom(
  data: string,
  flags: DataFlags,
): {
  format?: DatasetFormatFlag;
  textColumn?: string;
  labelColumn?: string;
  encoding?: 'utf-8' | 'latin1';
  lenient?: boolean;
} {
  const csvLike = flags.format === 'csv' || (flags.format === undefined && /\.csv$/i.test(data));
  if ((flags.textColumn !== undefined || flags.labelColumn !== undefined) && !csvLike) {
    throw usageError(
      `--text-column and --label-column apply to CSV data only (got ${flags.format ? `--format ${flags.format}` : data})`,
      'add --format csv if the file is CSV under another extension',
    );
  }
  const options: ReturnType<typeof loadOptionsFrom> = {};
  if (flags.format !== undefined) options.format = flags.format;
  if (flags.textColumn !== undefined) options.textColumn = flags.textColumn;
  if (flags.labelColumn !== undefined) options.labelColumn = flags.labelColumn;
  if (flags.encoding !== undefined) options.encoding = flags.encoding;
  if (flags.lenient) options.lenient = true;
  return options;
}

export const backendChoices = ['auto', 'wasm', 'cpu', 'tensorflow'] as const;
export type BackendFlag = (typeof backendChoices)[number];

export function backendOption(): Option {
  return new Option(
    '--backend <name>',
    'TensorFlow.js backend (auto: tensorflow if it loads, else wasm, else cpu; env LSTMKIT_BACKEND)',
  )
    .choices(backendChoices)
    .default('auto');
}
