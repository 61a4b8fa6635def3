import { describe, expect, it } from 'vitest';
import { MicroBatcher } from './micro-batcher.js';

function recorder(options: { maxBatchSize: number; maxWaitMs: number; maxQueuedItems?: number }) {
  const calls: string[][] = [];
  const batcher = new MicroBatcher<string, string>({
    maxQueuedItems: 1000,
    ...options,
    run: (items) => {
      calls.push(items);
      return items.map((item) => item.toUpperCase());
    },
  });
  return { batcher, calls };
}

describe('MicroBatcher', () => {
  it('coalesces concurrent submissions into one run and returns each its own results', async () => {
    const { batcher, calls } = recorder({ maxBatchSize: 8, maxWaitMs: 5 });
    const results = await Promise.all([
      batcher.submit(['a']),
      batcher.submit(['b', 'c']),
      batcher.submit(['d']),
    ]);
    expect(results).toEqual([['A'], ['B', 'C'], ['D']]);
    expect(calls).toEqual([['a', 'b', 'c', 'd']]);
  });

  it('runs as soon as a batch is full and cuts a larger submission into full runs', async () => {
    const { batcher, calls } = recorder({ maxBatchSize: 3, maxWaitMs: 10_000 });
    const results = await Promise.all([
      batcher.submit(['a', 'b']),
      batcher.submit(['c', 'd']),
      batcher.submit(['e']),
      batcher.submit(['f', 'g', 'h', 'i']),
    ]);
    expect(results).toEqual([['A', 'B'], ['C', 'D'], ['E'], ['F', 'G', 'H', 'I']]);
    expect(calls).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e', 'f'],
      ['g', 'h', 'i'],
    ]);
  });

  it('with maxBatchSize 1 runs every submission alone, without waiting', async () => {
    const { batcher, calls } = recorder({ maxBatchSize: 1, maxWaitMs: 10_000 });
    const results = await Promise.all([batcher.submit(['a']), batcher.submit(['b', 'c'])]);
    expect(results).toEqual([['A'], ['B', 'C']]);
    expect(calls).toEqual([['a'], ['b'], ['c']]);
  });

  it('with maxWaitMs 0 batches what arrived in the same event-loop turn', async () => {
    const { batcher, calls } = recorder({ maxBatchSize: 64, maxWaitMs: 0 });
    await Promise.all([batcher.submit(['a']), batcher.submit(['b'])]);
    await batcher.submit(['c']);
    expect(calls).toEqual([['a', 'b'], ['c']]);
  });

  it('runs one batch at a time; what queues meanwhile goes next as one batch', async () => {
    const calls: number[][] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const batcher = new MicroBatcher<number, number>({
      maxBatchSize: 2,
      maxWaitMs: 10_000,
      maxQueuedItems: 100,
      run: async (items) => {
        calls.push(items);
        if (calls.length === 1) await gate;
        return items.map((item) => item * 10);
      },
    });
    const first = batcher.submit([1, 2]);
    const later = [batcher.submit([3]), batcher.submit([4])];
    expect(calls).toEqual([[1, 2]]);
    release();
    expect(await Promise.all([first, ...later])).toEqual([[10, 20], [30], [40]]);
    expect(calls).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it('rejects every submission of a failed batch and keeps serving', async () => {
    const batcher = new MicroBatcher<string, string>({
      maxBatchSize: 4,
      maxWaitMs: 1,
      maxQueuedItems: 100,
      run: (items) => {
        if (items.includes('boom')) throw new Error('kernel failed');
        return items;
      },
    });
    const outcomes = await Promise.allSettled([batcher.submit(['boom']), batcher.submit(['x'])]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(await batcher.submit(['ok'])).toEqual(['ok']);
  });

  it('rejects when run returns the wrong number of results', async () => {
    const batcher = new MicroBatcher<string, string>({
      maxBatchSize: 2,
      maxWaitMs: 0,
      maxQueuedItems: 100,
      run: () => [],
    });
    await expect(batcher.submit(['a'])).rejects.toThrow('batch run returned 0 results for 1 items');
  });

  it('reports each batch size to onBatch', async () => {
    const sizes: number[] = [];
    const batcher = new MicroBatcher<string, string>({
      maxBatchSize: 4,
      maxWaitMs: 1,
      maxQueuedItems: 100,
      run: (items) => items,
      onBatch: (size) => sizes.push(size),
    });
    await Promise.all([batcher.submit(['a']), batcher.submit(['b', 'c'])]);
    expect(sizes).toEqual([3]);
  });

  it('drain runs queued work without waiting for the timer, now and later', async () => {
    const { batcher, calls } = recorder({ maxBatchSize: 8, maxWaitMs: 60_000 });
    const pending = batcher.submit(['a']);
    await batcher.drain();
    expect(calls).toEqual([['a']]);
    expect(await pending).toEqual(['A']);
    expect(await batcher.submit(['b'])).toEqual(['B']);
  });

  it('gives the event loop a turn between runs', async () => {
    const order: string[] = [];
    const batcher = new MicroBatcher<number, number>({
      maxBatchSize: 2,
      maxWaitMs: 0,
      maxQueuedItems: 100,
      run: (items) => {
        order.push(`run ${items.join(',')}`);
        // Stands for an I/O callback (a health check) that becomes ready during a run.
        if (items[0] === 1) setImmediate(() => order.push('other work'));
        return items;
      },
    });
    await batcher.submit([1, 2, 3, 4, 5, 6]);
    expect(order).toEqual(['run 1,2', 'other work', 'run 3,4', 'run 5,6']);
  });

  it('refuses a submission that would overfill the queue, and recovers', async () => {
    const { batcher } = recorder({ maxBatchSize: 8, maxWaitMs: 10, maxQueuedItems: 4 });
    const accepted = [batcher.submit(['a', 'b', 'c']), batcher.submit(['d'])];
    expect(batcher.queuedItems).toBe(4);
    await expect(batcher.submit(['e'])).rejects.toMatchObject({
      code: 'QUEUE_FULL',
      message: expect.stringContaining('4 texts waiting, maxQueuedTexts 4'),
    });
    expect(await Promise.all(accepted)).toEqual([['A', 'B', 'C'], ['D']]);
    expect(batcher.queuedItems).toBe(0);
    expect(await batcher.submit(['e'])).toEqual(['E']);
  });

  it('a failed run rejects its jobs once and drops the rest of a cut job', async () => {
    const calls: string[][] = [];
    const batcher = new MicroBatcher<string, string>({
      maxBatchSize: 2,
      maxWaitMs: 0,
      maxQueuedItems: 100,
      run: (items) => {
        calls.push(items);
        if (items.includes('boom')) throw new Error('kernel failed');
        return items;
      },
    });
    const outcomes = await Promise.allSettled([
      batcher.submit(['boom', 'x', 'y', 'z']),
      batcher.submit(['ok']),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'fulfilled']);
    expect(calls).toEqual([['boom', 'x'], ['ok']]);
    expect(batcher.queuedItems).toBe(0);
  });
});
