import { createModel, initBackend, predictProbabilities } from '@lstmkit/model';
import { createRng } from '@lstmkit/preprocess';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EncodedSplit } from './batching.js';
import { splitProbabilities } from './evaluate.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: () => {} });
});

describe('splitProbabilities', () => {
  it('scores a long split in slices with progress, giving the probabilities of one call', () => {
    const model = createModel({
      vocabSize: 30,
      numClasses: 2,
      embeddingDim: 4,
      hiddenSize: 4,
      layers: 1,
      arch: 'bilstm',
      mergeMode: 'concat',
      dropout: 0,
      recurrentDropout: 0,
      head: 'pool',
      seed: 5,
      recurrentInitializer: 'glorotUniform',
    });
    const rng = createRng(9);
    const rows = 5000;
    const length = 12;
    const data = new Int32Array(rows * length);
    const lengths = new Int32Array(rows);
    for (let r = 0; r < rows; r++) {
      lengths[r] = 1 + Math.floor(rng() * length);
      // pre-padded: the real tokens at the end of the row
      for (let c = length - lengths[r]!; c < length; c++)
        data[r * length + c] = 2 + Math.floor(rng() * 28);
    }
    const split: EncodedSplit = {
      encoded: { data, shape: [rows, length] },
      labels: new Int32Array(rows),
      lengths,
      padId: 0,
      count: rows,
      sequenceLength: length,
    };
    const progress: number[] = [];
    const sliced = splitProbabilities(model, split, (done) => progress.push(done));
    const whole = predictProbabilities(model, split.encoded, { padId: 0, lengths });
    expect(progress).toEqual([2048, 4096, 5000]);
    expect(sliced).toEqual(whole);
    model.dispose();
  });
});
