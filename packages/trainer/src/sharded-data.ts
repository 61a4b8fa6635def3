import { createRng, shuffleInPlace, type TextPipeline } from '@lstmkit/preprocess';
import {
  type Batch,
  CHUNK_BATCHES,
  type EncodedSplit,
  gatherBatch,
  paddingFraction,
  planEpoch,
} from './batching.js';
import type { DataStore, ShardedSplit } from './data-store.js';
import { deriveSeed } from './seed.js';
import { decodeShard, type Shard } from './shards.js';

/** Rows the training shuffle mixes at once (as a shuffle buffer), and its memory bound. */
const WINDOW_ROWS = 65_536;
const WINDOW_BYTES = 64 * 1024 * 1024;
/** Stream tag for deriveSeed: the order of the shards in an epoch. */
const SHARD_ORDER_STREAM = 0x5a4d;

/** Rows `from..to` of one shard. */
interface RowRange {
  file: string;
  from: number;
  to: number;
}

/** Decodes shards from the store, keeping the last two (a window may span two). */
export class ShardReader {
  private recent: { file: string; shard: Shard }[] = [];

  constructor(
    private readonly store: DataStore,
    readonly pipeline: TextPipeline,
    /** Loss weight per label, multiplied into each train row's own weight. */
    private readonly classWeights?: readonly number[],
  ) {}

  async shard(file: string): Promise<Shard> {
    const hit = this.recent.find((entry) => entry.file === file);
    if (hit) return hit.shard;
    const shard = decodeShard(await this.store.readShard(file), `${this.store.dir}/${file}`);
    this.recent = [{ file, shard }, ...this.recent].slice(0, 2);
    return shard;
  }

  /**
   * The rows as one split padded to the full sequence length, as batching expects. Training
   * rows carry their loss weights (own times class weight); evaluation rows none.
   */
  async rows(
    ranges: readonly RowRange[],
    training: { weighted: boolean } | undefined,
  ): Promise<EncodedSplit> {
    const length = this.pipeline.config.sequence.length;
    const count = ranges.reduce((sum, range) => sum + range.to - range.from, 0);
    const data = new Int32Array(count * length);
    const labels = new Int32Array(count);
    const lengths = new Int32Array(count);
    const classWeights = this.classWeights;
    const weights =
      training && (training.weighted || classWeights) ? new Float32Array(count) : undefined;
    let row = 0;
    for (const range of ranges) {
      const shard = await this.shard(range.file);
      for (let r = range.from; r < range.to; r++, row++) {
        const from = shard.offsets[r]!;
        const to = shard.offsets[r + 1]!;
        this.pipeline.padIds(shard.ids.subarray(from, to), data, row * length);
        const label = shard.labels[r]!;
        labels[row] = label;
        lengths[row] = to - from;
        if (weights) weights[row] = (shard.weights?.[r] ?? 1) * (classWeights?.[label] ?? 1);
      }
    }
    return {
      encoded: { data, shape: [count, length] },
      labels,
      lengths,
      ...(weights && { weights }),
      padId: this.pipeline.vocabulary.padId,
      count,
      sequenceLength: length,
    };
  }

  /** A whole split in memory (validation, bounded by `maxValidation`). */
  all(split: ShardedSplit): Promise<EncodedSplit> {
    return this.rows(
      split.shards.map(({ file, rows }) => ({ file, from: 0, to: rows })),
      undefined,
    );
  }

  /** A split shard by shard (test), for bounded memory whatever its size. */
  async *eachShard(split: ShardedSplit): AsyncGenerator<EncodedSplit> {
    for (const { file, rows } of split.shards)
      yield this.rows([{ file, from: 0, to: rows }], undefined);
  }
}

/**
 * The training split's batches. An epoch visits the shards in a seeded order; each window of
 * that order (~65k rows, a multiple of the 50-batch chunk) is shuffled and batched by length
 * as a whole split would be (`planEpoch`). Every window but the last holds whole batches, so an
 * epoch has ceil(rows / batchSize) steps and any step is found from (seed, epoch, step) alone:
 * a resumed run replays the same batches from the middle of an epoch.
 */
export class TrainBatches {
  readonly stepsPerEpoch: number;
  private readonly windowRows: number;
  private current:
    | { epoch: number; window: number; split: EncodedSplit; plan: number[][] }
    | undefined;

  constructor(
    private readonly reader: ShardReader,
    private readonly split: ShardedSplit,
    private readonly batchSize: number,
    private readonly seed: number,
    /** Rows a window aims at (default ~65k, fewer for long sequences; small in tests). */
    windowTarget = WINDOW_ROWS,
  ) {
    const chunk = batchSize * CHUNK_BATCHES;
    const rowBytes = 4 * reader.pipeline.config.sequence.length;
    const target = Math.min(windowTarget, Math.floor(WINDOW_BYTES / rowBytes));
    this.windowRows = chunk * Math.max(1, Math.floor(target / chunk));
    this.stepsPerEpoch = Math.ceil(split.rows / batchSize);
  }

  get rows(): number {
    return this.split.rows;
  }

  /** Batch `step` (0-based) of `epoch` (1-based). */
  async batch(epoch: number, step: number): Promise<Batch> {
    const windowSteps = this.windowRows / this.batchSize;
    const window = Math.floor(step / windowSteps);
    const current = await this.load(epoch, window);
    return gatherBatch(current.split, current.plan[step - window * windowSteps]!);
  }

  /** Padding left with and without trimming, over the first window of epoch 1 (the report's). */
  async padding(): Promise<{ full: number; trimmed: number }> {
    const { split, plan } = await this.load(1, 0);
    return paddingFraction(split, plan);
  }

  private async load(epoch: number, window: number) {
    const current = this.current;
    if (current?.epoch === epoch && current.window === window) return current;
    const rng = createRng(deriveSeed(this.seed, SHARD_ORDER_STREAM, epoch));
    const order = shuffleInPlace([...this.split.shards], rng);
    const start = window * this.windowRows;
    const end = Math.min(this.split.rows, start + this.windowRows);
    const ranges: RowRange[] = [];
    let at = 0;
    for (const { file, rows } of order) {
      const from = Math.max(start, at);
      const to = Math.min(end, at + rows);
      if (from < to) ranges.push({ file, from: from - at, to: to - at });
      at += rows;
    }
    const split = await this.reader.rows(ranges, this.split);
    const plan = planEpoch(split, this.batchSize, this.seed, epoch, window);
    this.current = { epoch, window, split, plan };
    return this.current;
  }
}
