import { LstmkitError } from '../errors';
import type { TextEncoding } from './read-lines';

export type DatasetFormat = 'tsv' | 'csv' | 'fasttext' | 'folders';

export interface LoadDatasetOptions {
  /** By extension when omitted: .csv, .tsv, .ft/.fasttext, a folder; a .txt file is fastText if its first line starts with `__label__`, else TSV. */
  format?: DatasetFormat;
  /** CSV text column (default `text`). */
  textColumn?: string;
  /** CSV label column (default `label`). */
  labelColumn?: string;
  /** Default `utf-8`. */
  encoding?: TextEncoding;
  /** Skip and count malformed records in `dataset.skipped` instead of throwing. */
  lenient?: boolean;
  /** Default: `$LSTMKIT_DATA_HOME` or `~/.cache/lstmkit`. */
  dataHome?: string;
  /** Check named datasets against their SHA256SUMS (default true). */
  verify?: boolean;
  /** Files only: the expected labels in index order; any other label is a malformed record. Default: the labels found, sorted (numerically if all are numbers). */
  labelNames?: string[];
}

export interface ResolvedLoadOptions {
  format: DatasetFormat | undefined;
  textColumn: string;
  labelColumn: string;
  encoding: TextEncoding;
  lenient: boolean;
  dataHome: string | undefined;
  verify: boolean;
  labelNames: string[] | undefined;
}

const KNOWN = [
  'format',
  'textColumn',
  'labelColumn',
  'encoding',
  'lenient',
  'dataHome',
  'verify',
  'labelNames',
];
/** Options that describe a file; a named dataset fixes them. */
export const FILE_ONLY_OPTIONS = [
  'format',
  'textColumn',
  'labelColumn',
  'encoding',
  'labelNames',
] as const;

function invalid(field: string, message: string, value: unknown): never {
  throw new LstmkitError(
    'INVALID_LOAD_OPTIONS',
    `loadDataset option ${field} ${message} (got ${JSON.stringify(value)})`,
  );
}

function optional<T>(
  value: T | undefined,
  field: string,
  ok: (v: T) => boolean,
  rule: string,
): T | undefined {
  if (value !== undefined && !ok(value)) invalid(field, rule, value);
  return value;
}

const nonEmptyString = (v: unknown) => typeof v === 'string' && v !== '';

export function resolveLoadOptions(options: LoadDatasetOptions): ResolvedLoadOptions {
  if (typeof options !== 'object' || options === null) invalid('', 'must be an object', options);
  for (const key of Object.keys(options)) {
    if (!KNOWN.includes(key))
      invalid(key, `is not a known option (known: ${KNOWN.join(', ')})`, key);
  }
  const labelNames = optional(
    options.labelNames,
    'labelNames',
    (v) =>
      Array.isArray(v) && v.length >= 2 && v.every(nonEmptyString) && new Set(v).size === v.length,
    'must list at least 2 distinct non-empty labels',
  );
  return {
    format: optional(
      options.format,
      'format',
      (v) => ['tsv', 'csv', 'fasttext', 'folders'].includes(v),
      "must be 'tsv', 'csv', 'fasttext' or 'folders'",
    ),
    textColumn:
      optional(options.textColumn, 'textColumn', nonEmptyString, 'must be a non-empty string') ??
      'text',
    labelColumn:
      optional(options.labelColumn, 'labelColumn', nonEmptyString, 'must be a non-empty string') ??
      'label',
    encoding:
      optional(
        options.encoding,
        'encoding',
        (v) => v === 'utf-8' || v === 'latin1',
        "must be 'utf-8' or 'latin1'",
      ) ?? 'utf-8',
    lenient:
      optional(options.lenient, 'lenient', (v) => typeof v === 'boolean', 'must be a boolean') ??
      false,
    dataHome: optional(options.dataHome, 'dataHome', nonEmptyString, 'must be a non-empty string'),
    verify:
      optional(options.verify, 'verify', (v) => typeof v === 'boolean', 'must be a boolean') ??
      true,
    labelNames: labelNames === undefined ? undefined : [...labelNames],
  };
}
