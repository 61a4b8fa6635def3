import { checkRecord, type RecordOrMalformed } from './raw-record';
import type { Line } from './read-lines';

const PREFIX = '__label__';
const LABEL = /^__label__(\S*)[ \t]?/;

/** `__label__X text` per line; one label per line (multi-label lines are malformed). */
export async function* readFastText(
  file: string,
  lines: AsyncIterable<Line> | Iterable<Line>,
): AsyncGenerator<RecordOrMalformed> {
  for await (const line of lines) {
    const number = line.number;
    if ('invalid' in line) {
      yield { malformed: { file, line: number, reason: line.invalid } };
      continue;
    }
    if (line.text === '') continue;
    const match = LABEL.exec(line.text);
    if (match === null) {
      yield { malformed: { file, line: number, reason: `missing label (no ${PREFIX} prefix)` } };
      continue;
    }
    const text = line.text.slice(match[0].length);
    if (text.trimStart().startsWith(PREFIX)) {
      yield {
        malformed: { file, line: number, reason: 'bad label: more than one label on the line' },
      };
      continue;
    }
    yield checkRecord({ file, line: number, text, label: match[1] ?? '' });
  }
}
