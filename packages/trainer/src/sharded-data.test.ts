import { datasetSource } from '@lstmkit/preprocess';
import { describe, expect, it } from 'vitest';
import { separableDataset } from './__fixtures__/separable.js';
import { resolveRunConfig } from './config.js';
import { memoryDataStore } from './data-store.js';
import { type DataInputs, encodeData, fitData } from './prepare-data.js';
import { ShardReader, TrainBatches } from './sharded-data.js';
import { decodeShard, encodeShard } from './shards.js';

/** 1,000 examples in shards of 64 rows: many shards, windows that span two of them. */
async function prepared(shardRows = 64) {
  const store = memoryDataStore('t');
  const inputs: DataInputs = {
    source: datasetSource(separableDataset(1000, 3)),
    config: resolveRunConfig({
      preset: 'textbook',
      seed: 5,
      pipeline: { sequence: { length: 12 } },
    }),
    store,
    hash: (parts) => [...parts].join('|'),
    onEvent: () => {},
    shardRows,
  };
  const fitted = await fitData(inputs);
  const data = await encodeData(inputs, fitted, fitted.pipeline);
  return { store, data, reader: new ShardReader(store, data.pipeline) };
}

/** Every row of a split, as `label:ids` strings, to compare visits without caring for order. */
function rowsOf(ids: Int32Array, labels: Int32Array, columns: number): string[] {
  return Array.from(
    labels,
    (label, r) =>
      `${label}:${ids
        .subarray(r * columns, (r + 1) * columns)
        .filter((id) => id !== 0)
        .join(',')}`,
  );
}

describe('shards', () => {
  it('round-trip ragged rows, labels and weights, and refuse a truncated file', () => {
    const shard = {
      rows: 3,
      offsets: Uint32Array.from([0, 2, 2, 5]),
      labels: Int32Array.from([1, 0, 1]),
      weights: Float32Array.from([1, 0.5, 2]),
      ids: Uint16Array.from([7, 8, 9, 10, 65535]),
    };
    const bytes = encodeShard(shard);
    expect(decodeShard(bytes, 'x.bin')).toEqual(shard);
    const wide = { ...shard, weights: undefined, ids: Int32Array.from([7, 8, 9, 10, 70000]) };
    expect(decodeShard(encodeShard(wide), 'x.bin')).toEqual(wide);
    expect(() => decodeShard(bytes.subarray(0, bytes.length - 1), 'train-00001.bin')).toThrow(
      /train-00001.bin is not a valid lstmkit shard: \d+ bytes, expected \d+/,
    );
  });
});

describe('TrainBatches', () => {
  it('visits every training row once per epoch, across shards and windows', async () => {
    const { data, reader } = await prepared();
    const train = data.manifest.splits.train;
    expect(train.shards.length).toBeGreaterThan(5);
    // batch 2 x 50-batch chunks: windows of 100 rows, most spanning two 64-row shards
    const batches = new TrainBatches(reader, train, 2, 9, 100);
    expect(batches.stepsPerEpoch).toBe(Math.ceil(train.rows / 2));
    const seen: string[] = [];
    for (let step = 0; step < batches.stepsPerEpoch; step++) {
      const batch = await batches.batch(1, step);
      seen.push(...rowsOf(batch.ids, batch.labels, batch.columns));
    }
    const all = (await reader.all(train)).encoded;
    const expected = rowsOf(all.data, (await reader.all(train)).labels, all.shape[1]);
    expect(seen.sort()).toEqual(expected.sort());
  });

  it('gives the same batch for (epoch, step) from a fresh reader, as a resumed run needs', async () => {
    const { data, reader, store } = await prepared();
    const train = data.manifest.splits.train;
    const straight = new TrainBatches(reader, train, 2, 9, 100);
    const order: string[][] = [];
    for (let step = 0; step < straight.stepsPerEpoch; step++) {
      const b = await straight.batch(2, step);
      order.push(rowsOf(b.ids, b.labels, b.columns));
    }
    // a resumed run starts in the middle of a window of epoch 2
    const resumed = new TrainBatches(new ShardReader(store, data.pipeline), train, 2, 9, 100);
    for (const step of [137, 138, 260]) {
      const b = await resumed.batch(2, step);
      expect(rowsOf(b.ids, b.labels, b.columns)).toEqual(order[step]);
    }
    const other = await straight.batch(3, 137);
    expect(rowsOf(other.ids, other.labels, other.columns)).not.toEqual(order[137]);
  });

  it('trims each batch to its longest row, as the whole-split batching did', async () => {
    const { data, reader } = await prepared();
    const batches = new TrainBatches(reader, data.manifest.splits.train, 4, 9, 200);
    const batch = await batches.batch(1, 0);
    const lengths = rowsOf(batch.ids, batch.labels, batch.columns).map(
      (row) => row.split(':')[1]!.split(',').length,
    );
    expect(batch.columns).toBe(Math.max(...lengths));
  });
});
