import { describe, expect, it } from 'vitest';
import { isLstmkitError } from './errors';
import { PipelineFitter, TextPipeline } from './pipeline';
import { pipelinePresets } from './presets';
import { createRng } from './random';
import { padSequence } from './sequence';
import { Vocabulary } from './vocabulary';

const texts = ['A great, GREAT movie!', 'A bad movie.', "I don't like it"];

describe('TextPipeline', () => {
  it('fits the textbook recipe and encodes with pre padding, keeping the first tokens', () => {
    const p = TextPipeline.fit(texts, pipelinePresets.textbook);
    expect(p.vocabulary.toJSON().tokens).toEqual([
      '<pad>',
      '<unk>',
      'a',
      'great',
      'movie',
      'bad',
      'dont',
      'i',
      'it',
      'like',
    ]);
    expect(p.tokens("I DON'T like it")).toEqual(['i', 'dont', 'like', 'it']);
    const ids = p.encode('a great unseen movie');
    expect(ids).toBeInstanceOf(Int32Array);
    expect(ids.length).toBe(50);
    expect([...ids.slice(46)]).toEqual([2, 3, 1, 4]);
    expect(ids.slice(0, 46).every((x) => x === 0)).toBe(true);
    const long = p.encode(Array.from({ length: 60 }, (_, i) => (i === 0 ? 'bad' : 'a')).join(' '));
    expect(long[0]).toBe(5);
  });

  it("keeps the last tokens with truncating 'pre'", () => {
    const p = TextPipeline.fit(texts, {
      ...pipelinePresets.default,
      sequence: { length: 3, padding: 'pre', truncating: 'pre' },
    });
    expect(p.tokens("I don't like it!")).toEqual(['i', 'don', "'", 't', 'like', 'it', '!']);
    expect(p.vocabulary.decode(p.encode("I don't like it!"))).toEqual(['like', 'it', '!']);
  });

  it('encodes a batch row-major, each row as encode() gives it', () => {
    const p = TextPipeline.fit(texts, {
      ...pipelinePresets.textbook,
      sequence: { length: 4, padding: 'post', truncating: 'post' },
    });
    const batch = p.encodeBatch(['a bad movie', '', 'great great great great great']);
    expect(batch.shape).toEqual([3, 4]);
    expect([...batch.data]).toEqual([2, 5, 4, 0, 0, 0, 0, 0, 3, 3, 3, 3]);
    expect([...batch.data.subarray(0, 4)]).toEqual([...p.encode('a bad movie')]);
  });

  it('round-trips through JSON with every default spelled out', () => {
    const p = TextPipeline.fit(
      texts,
      {
        clean: { lowercase: true },
        tokenizer: { type: 'word' },
        sequence: { length: 8, padding: 'pre', truncating: 'pre' },
      },
      { minCount: 1 },
    );
    const json = JSON.parse(JSON.stringify(p.toJSON()));
    expect(json.config.clean).toEqual({
      nfkc: false,
      lowercase: true,
      stripHtml: false,
      urls: false,
      digits: false,
      punctuation: 'keep',
      collapseWhitespace: false,
    });
    expect(json.config.tokenizer).toEqual({ type: 'word', keepContractions: true });
    const back = TextPipeline.fromJSON(json);
    expect(back.toJSON()).toEqual(p.toJSON());
    expect([...back.encode('a movie?')]).toEqual([...p.encode('a movie?')]);
  });

  it('rejects bad JSON naming the field', () => {
    const json = TextPipeline.fit(texts, pipelinePresets.textbook).toJSON();
    const cases: [unknown, string, RegExp][] = [
      [
        { ...json, formatVersion: 3 },
        'INVALID_PIPELINE_JSON',
        /pipeline\.formatVersion must be 1 \(got 3\)/,
      ],
      [
        {
          ...json,
          config: { ...json.config, sequence: { ...json.config.sequence, padding: 'left' } },
        },
        'INVALID_PIPELINE_CONFIG',
        /config\.sequence\.padding must be one of 'pre', 'post' \(got "left"\)/,
      ],
      [
        { ...json, config: { ...json.config, tokenizer: { type: 'bpe' } } },
        'INVALID_PIPELINE_CONFIG',
        /config\.tokenizer\.type/,
      ],
      [
        { ...json, vocabulary: { ...json.vocabulary, formatVersion: 0 } },
        'INVALID_VOCABULARY_JSON',
        /vocabulary\.formatVersion/,
      ],
    ];
    for (const [bad, code, message] of cases) {
      try {
        TextPipeline.fromJSON(bad as never);
        expect.unreachable();
      } catch (e) {
        expect(isLstmkitError(e) && e.code).toBe(code);
        expect((e as Error).message).toMatch(message);
      }
    }
  });

  it('freezes its config', () => {
    const p = TextPipeline.fit(texts, pipelinePresets.textbook);
    expect(Object.isFrozen(p.config.sequence)).toBe(true);
    expect(Object.isFrozen(pipelinePresets.default.clean)).toBe(true);
  });

  it('fits and encodes exactly as tokens() + Vocabulary + padSequence, ASCII or not', () => {
    const rng = createRng(3);
    const words = [
      'Good',
      'bad',
      "don't",
      'café',
      'naïve',
      '10/10',
      'x_y',
      'http://x.io/a_b',
      "9's",
      '<url>',
      '<br />',
      'www.a.com',
      '!',
      'ok\u0085go',
      '😀',
    ];
    const corpus = Array.from({ length: 400 }, () =>
      Array.from(
        { length: 1 + Math.floor(rng() * 12) },
        () => words[Math.floor(rng() * words.length)],
      ).join(rng() < 0.5 ? ' ' : ''),
    );
    const { textbook, default: preset } = pipelinePresets;
    const configs = [
      textbook,
      preset,
      { ...preset, clean: { ...preset.clean, urls: '[link]' } },
      { ...preset, tokenizer: { type: 'word', keepContractions: false } },
      { ...textbook, clean: { ...textbook.clean, punctuation: 'split' } },
    ] as const;
    for (const config of configs) {
      const p = TextPipeline.fit(corpus.slice(0, 300), config, { minCount: 2 });
      const reference = Vocabulary.build(
        corpus.slice(0, 300).map((t) => p.tokens(t)),
        { minCount: 2 },
      );
      expect(p.vocabulary.toJSON()).toEqual(reference.toJSON());
      for (const text of corpus) {
        expect([...p.encode(text)]).toEqual([
          ...padSequence(reference.encode(p.tokens(text)), config.sequence),
        ]);
      }
    }
  });

  it('encodeIds gives the real ids after truncation and padIds the row encode() gives', () => {
    const corpus = [
      'a great great movie',
      'café naïve 😀 film',
      '',
      '   ',
      'one two three four five six seven',
      'unseen words only',
      'x',
    ];
    for (const padding of ['pre', 'post'] as const) {
      for (const truncating of ['pre', 'post'] as const) {
        const sequence = { length: 4, padding, truncating };
        const p = TextPipeline.fit(corpus, { ...pipelinePresets.default, sequence });
        for (const text of [...corpus, 'great unseen 😀']) {
          const ids = p.encodeIds(text);
          const all = p.vocabulary.encode(p.tokens(text));
          const kept =
            truncating === 'pre' ? all.slice(Math.max(0, all.length - 4)) : all.slice(0, 4);
          expect([...ids]).toEqual(kept);
          const row = new Int32Array(10);
          p.padIds(ids, row, 3);
          expect([...row.subarray(3, 7)]).toEqual([...p.encode(text)]);
          expect([...row.subarray(0, 3), ...row.subarray(7)]).toEqual([0, 0, 0, 0, 0, 0]);
        }
      }
    }
    expect(TextPipeline.fit(corpus, pipelinePresets.default).encodeIds('').length).toBe(0);
  });
});

describe('PipelineFitter', () => {
  const rng = createRng(9);
  // Zipf-like: word k is drawn with probability ~ 1/k, so a few words are frequent and many rare.
  const word = (k: number): string =>
    (k < 26 ? '' : word(Math.floor(k / 26))) + String.fromCharCode(97 + (k % 26));
  const zipf = () => word(Math.floor(Math.exp(rng() * Math.log(5000))));
  const corpus = Array.from({ length: 3000 }, () =>
    Array.from({ length: 1 + Math.floor(rng() * 20) }, zipf).join(' '),
  );

  it("fits as TextPipeline.fit when nothing is pruned, returning each text's token count", () => {
    const fitter = new PipelineFitter(pipelinePresets.default, { minCount: 2 });
    for (const text of corpus) expect(fitter.add(text)).toBe(text.split(' ').length);
    expect(fitter.pruned).toEqual({ tokens: 0, belowCount: 0 });
    const reference = Vocabulary.build(
      corpus.map((t) => t.split(' ')),
      { minCount: 2 },
    );
    expect(fitter.finish().vocabulary.toJSON()).toEqual(reference.toJSON());
    expect(Vocabulary.fromCounts(fitter.counts()).size).toBe(fitter.distinctTokens + 2);
  });

  it('keeps the count table under its cap by dropping the rarest tokens; the frequent survive', () => {
    const cap = 200;
    const fitter = new PipelineFitter(pipelinePresets.default, {}, { maxDistinctTokens: cap });
    const exact = new Map<string, number>();
    let largest = 0;
    for (const text of corpus) {
      fitter.add(text);
      largest = Math.max(largest, fitter.distinctTokens);
      for (const token of text.split(' ')) exact.set(token, (exact.get(token) ?? 0) + 1);
    }
    expect(exact.size).toBeGreaterThan(cap * 10);
    expect(largest).toBeLessThanOrEqual(cap);
    const { pruned } = fitter;
    expect(pruned.tokens).toBeGreaterThan(exact.size - cap);
    expect(pruned.belowCount).toBeGreaterThan(1);
    const top = [...exact].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 20);
    const vocabulary = fitter.finish().vocabulary;
    // The most frequent tokens survive; the first ten keep their place and exact counts.
    expect(top.every(([token]) => vocabulary.id(token) !== vocabulary.unkId)).toBe(true);
    const first = top.slice(0, 10);
    expect(first.map(([token]) => vocabulary.id(token))).toEqual(first.map((_, i) => i + 2));
    expect(vocabulary.toJSON().counts?.slice(2, 12)).toEqual(first.map(([, count]) => count));
  });

  it('validates its options when constructed', () => {
    expect(() => new PipelineFitter(pipelinePresets.default, { minCount: 0 })).toThrow(
      /vocabulary.minCount must be an integer >= 1/,
    );
    expect(() => new PipelineFitter(pipelinePresets.default, {}, { maxDistinctTokens: 0 })).toThrow(
      /maxDistinctTokens must be an integer >= 1 \(got 0\)/,
    );
  });
});
