import { describe, expect, it } from 'vitest';
import { isLstmkitError } from './errors';
import { Vocabulary } from './vocabulary';

const lists = [
  ['b', 'a', 'c', 'a'],
  ['c', 'a', 'd'],
  ['e', '<pad>'],
];

describe('Vocabulary', () => {
  it('orders ids by frequency, ties by code-unit order, after pad and unk', () => {
    const v = Vocabulary.build(lists);
    expect(v.toJSON().tokens).toEqual(['<pad>', '<unk>', 'a', 'c', 'b', 'd', 'e']);
    expect(v.size).toBe(7);
    expect([v.padId, v.unkId]).toEqual([0, 1]);
    expect(v.toJSON().counts).toEqual([0, 1, 3, 2, 1, 1, 1]);
  });

  it('encodes unknown words (and a literal pad token) as unk and decodes without padding', () => {
    const v = Vocabulary.build(lists);
    expect(v.encode(['a', 'zzz', '<pad>', '<unk>'])).toEqual([2, 1, 1, 1]);
    expect(v.id('c')).toBe(3);
    expect(v.token(4)).toBe('b');
    expect(v.decode(Int32Array.from([0, 0, 2, 1, 3]))).toEqual(['a', '<unk>', 'c']);
  });

  it('applies minCount and maxSize (which counts pad and unk)', () => {
    expect(Vocabulary.build(lists, { minCount: 2 }).toJSON().tokens).toEqual([
      '<pad>',
      '<unk>',
      'a',
      'c',
    ]);
    const small = Vocabulary.build(lists, { maxSize: 3 });
    expect(small.toJSON().tokens).toEqual(['<pad>', '<unk>', 'a']);
    expect(small.toJSON().counts?.[1]).toBe(6);
  });

  it('uses configurable reserved tokens', () => {
    const v = Vocabulary.build([['x']], { padToken: '[PAD]', unkToken: '[UNK]' });
    expect(v.toJSON().tokens).toEqual(['[PAD]', '[UNK]', 'x']);
    expect(v.decode([0, 1, 2])).toEqual(['[UNK]', 'x']);
  });

  it('round-trips through JSON', () => {
    const v = Vocabulary.build(lists);
    const back = Vocabulary.fromJSON(JSON.parse(JSON.stringify(v.toJSON())));
    expect(back.toJSON()).toEqual(v.toJSON());
    expect(back.encode(['d', 'e', 'q'])).toEqual(v.encode(['d', 'e', 'q']));
  });

  it('rejects bad JSON naming the field', () => {
    const good = Vocabulary.build(lists).toJSON();
    const cases: [unknown, RegExp][] = [
      [{ ...good, formatVersion: 2 }, /vocabulary\.formatVersion must be 1 \(got 2\)/],
      [
        { ...good, tokens: ['<pad>', '<unk>', 'a', 'a'] },
        /vocabulary\.tokens\[3\] repeats the token "a"/,
      ],
      [{ ...good, tokens: ['<unk>', '<pad>'] }, /vocabulary\.tokens\[0\] must be the padToken/],
      [
        { ...good, counts: [1] },
        /vocabulary\.counts must be an array with one count per token \(7\)/,
      ],
    ];
    for (const [json, message] of cases) {
      try {
        Vocabulary.fromJSON(json as never);
        expect.unreachable();
      } catch (e) {
        expect(isLstmkitError(e) && e.code).toBe('INVALID_VOCABULARY_JSON');
        expect((e as Error).message).toMatch(message);
      }
    }
  });

  it('rejects bad options and ids', () => {
    expect(() => Vocabulary.build(lists, { minCount: 0 })).toThrow(
      /vocabulary\.minCount must be an integer >= 1 \(got 0\)/,
    );
    expect(() => Vocabulary.build(lists, { maxSize: 1 })).toThrow(/vocabulary\.maxSize/);
    expect(() => Vocabulary.build(lists, { unkToken: '<pad>' })).toThrow(/vocabulary\.unkToken/);
    expect(() => Vocabulary.build(lists).token(99)).toThrow(
      /token id 99 is outside the vocabulary \(size 7\)/,
    );
  });
});
