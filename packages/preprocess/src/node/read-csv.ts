import { LstmkitError } from '../errors';
import { CsvRecordParser } from './csv-record-parser';
import { checkRecord, type RawRecord, type RecordOrMalformed } from './raw-record';
import type { Line } from './read-lines';

export interface CsvColumns {
  text: string;
  label: string;
  /** Column giving each row's split (imdb-50k); values other than train/validation/test are malformed. */
  split?: string;
}

const SPLITS = new Set(['train', 'validation', 'test']);

/** CSV with a header row naming the columns (RFC 4180 quoting, fields may span lines). */
export async function* readCsv(
  file: string,
  lines: AsyncIterable<Line> | Iterable<Line>,
  columns: CsvColumns,
): AsyncGenerator<RecordOrMalformed> {
  const parser = new CsvRecordParser();
  let index: { text: number; label: number; split: number; width: number } | undefined;
  for await (const line of lines) {
    if ('invalid' in line) {
      // The record's remaining lines would be misparsed; fail the whole record where it started.
      const start = parser.pending ? parser.pendingLine : line.number;
      parser.reset();
      yield { malformed: { file, line: start, reason: `${line.invalid} (line ${line.number})` } };
      continue;
    }
    if (line.text === '' && !parser.pending) continue;
    const result = parser.push(line.text, line.number);
    if (result === undefined) continue;
    if ('error' in result) {
      yield { malformed: { file, line: result.line, reason: `bad CSV quoting: ${result.error}` } };
      continue;
    }
    if (index === undefined) {
      index = headerIndex(file, result.line, result.fields, columns);
      continue;
    }
    const { fields } = result;
    if (fields.length !== index.width) {
      yield {
        malformed: {
          file,
          line: result.line,
          reason: `expected ${index.width} fields, got ${fields.length}`,
        },
      };
      continue;
    }
    const record: RawRecord = {
      file,
      line: result.line,
      text: fields[index.text] as string,
      label: (fields[index.label] as string).trim(),
    };
    if (index.split !== -1) {
      const split = fields[index.split] as string;
      if (!SPLITS.has(split)) {
        yield {
          malformed: {
            file,
            line: result.line,
            reason: `bad split ${JSON.stringify(split)} (expected train, validation or test)`,
          },
        };
        continue;
      }
      record.split = split as RawRecord['split'];
    }
    yield checkRecord(record);
  }
  if (parser.pending) {
    yield {
      malformed: {
        file,
        line: parser.pendingLine,
        reason: 'bad CSV quoting: quoted field never closed',
      },
    };
  }
}

function headerIndex(file: string, line: number, header: string[], columns: CsvColumns) {
  const names = header.map((h) => h.trim());
  const find = (column: string, option: string) => {
    const i = names.indexOf(column);
    if (i === -1) {
      throw new LstmkitError(
        'INVALID_DATASET_FORMAT',
        `${file}:${line}: CSV header has no column "${column}" (columns: ${names.join(', ')})`,
        { hint: `Pass ${option} to name the column to use.` },
      );
    }
    return i;
  };
  return {
    text: find(columns.text, 'textColumn'),
    label: find(columns.label, 'labelColumn'),
    split:
      columns.split === undefined ? -1 : find(columns.split, 'a dataset layout with that column'),
    width: header.length,
  };
}
