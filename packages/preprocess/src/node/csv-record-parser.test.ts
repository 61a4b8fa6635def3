import { describe, expect, it } from 'vitest';
import { CsvRecordParser } from './csv-record-parser';

function parse(lines: string[]) {
  const parser = new CsvRecordParser();
  const out = lines.map((line, i) => parser.push(line, i + 1)).filter((r) => r !== undefined);
  return { out, pending: parser.pending };
}

describe('CsvRecordParser', () => {
  it('parses plain and quoted fields with commas and doubled quotes', () => {
    expect(parse(['a,"b, c","say ""hi""",,""']).out).toEqual([
      { fields: ['a', 'b, c', 'say "hi"', '', ''], line: 1 },
    ]);
  });

  it('joins a quoted field across lines and reports the starting line', () => {
    expect(parse(['x,"first', '', 'third",y', 'z,w']).out).toEqual([
      { fields: ['x', 'first\n\nthird', 'y'], line: 1 },
      { fields: ['z', 'w'], line: 4 },
    ]);
  });

  it('treats a quote inside an unquoted field as text', () => {
    expect(parse(['5" screen,1']).out).toEqual([{ fields: ['5" screen', '1'], line: 1 }]);
  });

  it('rejects text after a closing quote and recovers on the next line', () => {
    expect(parse(['"a"b,1', 'c,2']).out).toEqual([
      { error: 'text after a closing quote at column 4', line: 1 },
      { fields: ['c', '2'], line: 2 },
    ]);
  });

  it('reports an unterminated quote as pending', () => {
    expect(parse(['a,"open', 'more'])).toEqual({ out: [], pending: true });
  });
});
