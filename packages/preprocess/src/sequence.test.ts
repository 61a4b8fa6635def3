import { describe, expect, it } from 'vitest';
import { padSequence } from './sequence';

const ids = [5, 6, 7, 8, 9];

describe('padSequence', () => {
  it('pads before or after', () => {
    expect([...padSequence([5, 6], { length: 4, padding: 'pre', truncating: 'post' })]).toEqual([
      0, 0, 5, 6,
    ]);
    expect([...padSequence([5, 6], { length: 4, padding: 'post', truncating: 'post' })]).toEqual([
      5, 6, 0, 0,
    ]);
  });

  it("truncates 'post' keeping the first ids and 'pre' keeping the last", () => {
    expect([...padSequence(ids, { length: 3, padding: 'pre', truncating: 'post' })]).toEqual([
      5, 6, 7,
    ]);
    expect([...padSequence(ids, { length: 3, padding: 'pre', truncating: 'pre' })]).toEqual([
      7, 8, 9,
    ]);
  });

  it('uses a custom pad id and handles empty input', () => {
    expect([...padSequence([], { length: 3, padding: 'post', truncating: 'pre' }, 9)]).toEqual([
      9, 9, 9,
    ]);
    expect([...padSequence([1], { length: 3, padding: 'post', truncating: 'pre' }, 9)]).toEqual([
      1, 9, 9,
    ]);
  });

  it('rejects a bad length', () => {
    expect(() => padSequence(ids, { length: 0, padding: 'pre', truncating: 'pre' })).toThrow(
      /sequence\.length must be an integer from 1 to 100000 \(got 0\)/,
    );
  });
});
