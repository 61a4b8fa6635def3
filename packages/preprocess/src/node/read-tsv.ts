import { checkRecord, type RecordOrMalformed } from './raw-record';
import type { Line } from './read-lines';

/**
 * `text<TAB>label` per line, split on the last tab so the text may contain tabs. Quotes are
 * ordinary text (the UCI imdb file breaks CSV quoting). Blank lines are not records.
 */
export async function* readTsv(
  file: string,
  lines: AsyncIterable<Line> | Iterable<Line>,
): AsyncGenerator<RecordOrMalformed> {
  for await (const line of lines) {
    if ('invalid' in line) {
      yield { malformed: { file, line: line.number, reason: line.invalid } };
      continue;
    }
    if (line.text === '') continue;
    const tab = line.text.lastIndexOf('\t');
    if (tab === -1) {
      yield { malformed: { file, line: line.number, reason: 'missing label (no tab)' } };
      continue;
    }
    yield checkRecord({
      file,
      line: line.number,
      text: line.text.slice(0, tab),
      label: line.text.slice(tab + 1).trim(),
    });
  }
}
