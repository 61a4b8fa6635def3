import type { Dataset } from './dataset';
import { LstmkitError } from './errors';
import { collectDataset, indexMap, RecordChecker } from './node/collector';
import type { RecordOrMalformed } from './node/raw-record';
import { readCsv } from './node/read-csv';
import { readFastText } from './node/read-fasttext';
import type { Line } from './node/read-lines';
import { readTsv } from './node/read-tsv';

export type TextDatasetFormat = 'tsv' | 'csv' | 'fasttext';

export interface ParseDatasetOptions {
  /** By the name's extension when omitted, as loadDataset decides for a file. */
  format?: TextDatasetFormat;
  /** CSV text column (default `text`). */
  textColumn?: string;
  /** CSV label column (default `label`). */
  labelColumn?: string;
  /** Skip and count malformed records in `dataset.skipped` instead of throwing. */
  lenient?: boolean;
  /** The expected labels in index order (default: the labels found, sorted). */
  labelNames?: string[];
}

const FASTTEXT_PREFIX = '__label__';

/**
 * The format of a dataset file from its name: .csv, .tsv, .ft/.fasttext, and .txt is fastText
 * when its content starts with `__label__` (`head`: the file's first bytes), else TSV.
 */
export function datasetFormatOf(name: string, head: string): TextDatasetFormat {
  const dot = name.lastIndexOf('.');
  const ext = dot > name.lastIndexOf('/') && dot >= 0 ? name.slice(dot).toLowerCase() : '';
  if (ext === '.csv') return 'csv';
  if (ext === '.tsv') return 'tsv';
  if (ext === '.ft' || ext === '.fasttext') return 'fasttext';
  if (ext === '.txt') {
    return head.replace(/^\ufeff/, '').startsWith(FASTTEXT_PREFIX) ? 'fasttext' : 'tsv';
  }
  throw new LstmkitError(
    'INVALID_DATASET_FORMAT',
    `${name}: cannot tell the format from the extension "${ext}"`,
    { hint: "Pass format: 'tsv' | 'csv' | 'fasttext' | 'folders'." },
  );
}

/** Lines as the file readers see them: LF or CRLF, a leading BOM dropped. */
function* linesOf(text: string): Generator<Line> {
  let number = 0;
  let start = text.startsWith('\ufeff') ? 1 : 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    number++;
    yield { number, text: text.slice(start, text[end - 1] === '\r' ? end - 1 : end) };
    start = end + 1;
  }
}

/**
 * A dataset file whose text is already in memory (a browser's File or fetch): the same
 * records, checks and errors (file and line) as loadDataset gives for that file on disk.
 */
export async function parseDataset(
  name: string,
  text: string,
  options: ParseDatasetOptions = {},
): Promise<Dataset> {
  const format = options.format ?? datasetFormatOf(name, text.slice(0, FASTTEXT_PREFIX.length + 1));
  const lines = linesOf(text);
  const records: AsyncIterable<RecordOrMalformed> =
    format === 'csv'
      ? readCsv(name, lines, {
          text: options.textColumn ?? 'text',
          label: options.labelColumn ?? 'label',
        })
      : format === 'fasttext'
        ? readFastText(name, lines)
        : readTsv(name, lines);
  const declared = options.labelNames === undefined ? undefined : indexMap(options.labelNames);
  const labelNames = options.labelNames;
  const lenient = options.lenient ?? false;
  return collectDataset({
    name,
    labelNames,
    async *records(read = {}) {
      const checker = new RecordChecker(lenient, declared, (label) => label, read.onSkipped);
      yield* checker.check(records);
      checker.finish(name);
    },
  });
}
