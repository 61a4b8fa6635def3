import { describe, expect, it } from 'vitest';
import { TokenTable } from './token-table';

describe('TokenTable', () => {
  it('interns substrings once and finds them by range, across growth', () => {
    const table = new TokenTable();
    const words = Array.from({ length: 5000 }, (_, i) => `w${i}`);
    const text = words.join(' ');
    let start = 0;
    for (const [i, w] of words.entries()) {
      expect(table.intern(text, start, start + w.length)).toBe(i);
      start += w.length + 1;
    }
    expect(table.size).toBe(5000);
    expect(table.intern('xx w4999 yy', 3, 8)).toBe(4999);
    expect(table.find('w123', 0, 4)).toBe(123);
    expect(table.find('w5000', 0, 5)).toBe(-1);
    expect(table.find('', 0, 0)).toBe(-1);
    expect(table.keys[42]).toBe('w42');
  });
});
