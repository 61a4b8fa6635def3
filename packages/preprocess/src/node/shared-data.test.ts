import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lengthStats } from '../length-stats';
import { TextPipeline } from '../pipeline';
import { pipelinePresets } from '../presets';
import { splitDataset } from '../split';
import { loadDataset } from './load-dataset';

// CI sets LSTMKIT_DATA_HOME; locally the shared data sits beside the repository root.
const besideRepo = fileURLToPath(new URL('../../../../../shared/data', import.meta.url));
const home = process.env.LSTMKIT_DATA_HOME || (existsSync(besideRepo) ? besideRepo : undefined);
const reason =
  home === undefined
    ? ` (skipped: LSTMKIT_DATA_HOME is unset and ${besideRepo} does not exist)`
    : '';

describe.skipIf(home === undefined)(`shared datasets${reason}`, () => {
  it('loads 3000 verified sentences, 1500 per label, and splits them 2400/300/300', async () => {
    const d = await loadDataset('uci-sentiment', { dataHome: home });
    expect(d.examples.length).toBe(3000);
    expect(d.labelNames).toEqual(['negative', 'positive']);
    expect(d.examples.filter((e) => e.label === 1).length).toBe(1500);
    expect(d.skipped).toEqual([]);
    // The imdb file has quotes that a CSV reader would merge across lines.
    expect(d.examples.filter((e) => e.text.includes('"')).length).toBeGreaterThan(0);

    const pipeline = TextPipeline.fit(
      d.examples.map((e) => e.text),
      pipelinePresets.textbook,
    );
    const lengths = d.examples.map((e) => pipeline.tokens(e.text).length);
    // The textbook figures: 11.8 tokens on average, at most 70.
    expect(lengthStats(lengths)).toEqual({
      count: 3000,
      min: 1,
      max: 70,
      mean: 35338 / 3000,
      p50: 10,
      p90: 22,
      p95: 26,
      p99: 35,
    });
    expect(pipeline.vocabulary.size).toBe(5402);
    // U+0085 separates words here as it does for Python's str.split().
    expect(pipeline.vocabulary.toJSON().tokens.some((t) => t.includes('\u0085'))).toBe(false);

    const s = splitDataset(d.examples, { seed: 42 });
    expect([s.train.length, s.validation.length, s.test.length]).toEqual([2400, 300, 300]);
    expect(s.test.filter((e) => e.label === 1).length).toBe(150);
  });

  it('loads imdb-50k with its official split and amazon-ft-sample with named labels', async () => {
    const imdb = await loadDataset('imdb-50k', { dataHome: home });
    const count = (split: string, label: number) =>
      imdb.examples.filter((e) => e.split === split && e.label === label).length;
    expect([count('train', 0), count('train', 1), count('test', 0), count('test', 1)]).toEqual([
      12_500, 12_500, 12_500, 12_500,
    ]);
    expect(imdb.examples[0]?.text.startsWith('Bromwell High is a cartoon comedy.')).toBe(true);
    const s = splitDataset(imdb.examples, { seed: 1 });
    expect([s.train.length, s.validation.length, s.test.length]).toEqual([22_222, 2_778, 25_000]);

    const amazon = await loadDataset('amazon-ft-sample', { dataHome: home });
    expect(amazon.labelNames).toEqual(['negative', 'positive']);
    expect([0, 1].map((l) => amazon.examples.filter((e) => e.label === l).length)).toEqual([
      3137, 3322,
    ]);
  });
});
