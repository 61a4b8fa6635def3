import { describe, expect, it } from 'vitest';
import { renderConfusionMatrix } from './confusion-matrix.js';
import { formatBytes, formatCount, formatDuration, formatRate, shellQuote } from './format.js';
import { createStyle, stripAnsi } from './style.js';
import { renderTable } from './table.js';

describe('formats', () => {
  it('formats counts, durations and rates', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatDuration(4.25)).toBe('4.3s');
    expect(formatDuration(75)).toBe('1m15s');
    expect(formatDuration(7300)).toBe('2h01m');
    expect(formatDuration(Number.NaN)).toBe('--');
    expect(formatRate(0)).toBe('--');
    expect(formatRate(1234.4)).toBe('1,234');
    expect(formatRate(3.14)).toBe('3.1');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1536)).toBe('1.5 kB');
    expect(formatBytes(1.6e9)).toBe('1.6 GB');
    expect(formatBytes(350e6)).toBe('350 MB');
  });

  it('quotes shell arguments only when needed', () => {
    expect(shellQuote('runs/textbook')).toBe('runs/textbook');
    expect(shellQuote('my data.tsv')).toBe(`'my data.tsv'`);
    expect(shellQuote(`it's`)).toBe(`'it'\\''s'`);
  });

  it('aligns table columns, ignoring colour codes', () => {
    const bold = createStyle(true).bold;
    const lines = renderTable(
      [
        [bold('name'), 'n'],
        ['positive', '1,500'],
        ['neg', '7'],
      ],
      { align: ['left', 'right'], indent: 2 },
    );
    expect(lines.map(stripAnsi)).toEqual([
      '  name          n',
      '  positive  1,500',
      '  neg           7',
    ]);
  });

  it('renders a confusion matrix with true labels as rows', () => {
    const lines = renderConfusionMatrix(
      [
        [130, 20],
        [25, 125],
      ],
      ['negative', 'positive'],
      createStyle(false),
    );
    expect(lines).toEqual([
      '  true \\ predicted  negative  positive',
      '  negative               130        20',
      '  positive                25       125',
    ]);
  });
});
