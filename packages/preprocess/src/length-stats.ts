import { LstmkitError } from './errors';

export interface LengthStats {
  count: number;
  min: number;
  max: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
}

/** Nearest-rank percentiles: each pXX is a length that occurs in the data. */
export function lengthStats(lengths: ArrayLike<number>): LengthStats {
  const count = lengths.length;
  if (count === 0)
    throw new LstmkitError('INVALID_LENGTHS', 'lengthStats needs at least one length (got none)');
  const sorted = Float64Array.from(lengths).sort();
  let sum = 0;
  for (let i = 0; i < count; i++) sum += sorted[i] as number;
  const at = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * count) - 1)] as number;
  return {
    count,
    min: sorted[0] as number,
    max: sorted[count - 1] as number,
    mean: sum / count,
    p50: at(50),
    p90: at(90),
    p95: at(95),
    p99: at(99),
  };
}

export interface LengthBin {
  from: number;
  to: number;
  count: number;
}

/** Buckets of token lengths up to p99 (the tail goes in the last bucket). */
export function lengthHistogram(
  lengths: ArrayLike<number>,
  stats: LengthStats,
  buckets = 8,
): LengthBin[] {
  return histogramOf(stats, buckets, (visit) => {
    for (let i = 0; i < lengths.length; i++) visit(lengths[i] as number, 1);
  });
}

function histogramOf(
  stats: LengthStats,
  buckets: number,
  each: (visit: (length: number, count: number) => void) => void,
): LengthBin[] {
  const top = Math.max(1, Math.ceil(stats.p99));
  const width = Math.max(1, Math.ceil((top + 1) / buckets));
  const bins = Array.from({ length: Math.ceil((top + 1) / width) }, (_, i) => ({
    from: i * width,
    to: (i + 1) * width - 1,
    count: 0,
  }));
  each((length, count) => {
    const bin = bins[Math.min(bins.length - 1, Math.floor(length / width))];
    if (bin) bin.count += count;
  });
  const last = bins[bins.length - 1];
  if (last) last.to = Math.max(last.to, stats.max);
  return bins;
}

/**
 * Token-length statistics without holding the lengths: a count per length (8 bytes per length
 * up to the longest seen), so a pass over millions of records needs no array of lengths.
 */
export class LengthCounter {
  private counts = new Float64Array(256);
  private total = 0;
  private longest = -1;

  /** Lengths added so far. */
  get count(): number {
    return this.total;
  }

  add(length: number, times = 1): void {
    if (!Number.isInteger(length) || length < 0 || !Number.isInteger(times) || times < 1) {
      throw new LstmkitError(
        'INVALID_LENGTHS',
        `a length must be an integer >= 0 added an integer >= 1 times (got ${JSON.stringify(length)} × ${JSON.stringify(times)})`,
      );
    }
    if (length >= this.counts.length) {
      const grown = new Float64Array(Math.max(length + 1, this.counts.length * 2));
      grown.set(this.counts);
      this.counts = grown;
    }
    (this.counts[length] as number) += times;
    this.total += times;
    if (length > this.longest) this.longest = length;
  }

  /** Equal to `lengthStats` of every length added. */
  stats(): LengthStats {
    const count = this.total;
    if (count === 0)
      throw new LstmkitError('INVALID_LENGTHS', 'lengthStats needs at least one length (got none)');
    const ranks = [50, 90, 95, 99].map((p) => Math.max(0, Math.ceil((p / 100) * count) - 1));
    const at: number[] = [];
    let sum = 0;
    let seen = 0;
    let min = -1;
    for (let length = 0; length <= this.longest; length++) {
      const n = this.counts[length] as number;
      if (n === 0) continue;
      if (min === -1) min = length;
      sum += length * n;
      seen += n;
      // Nearest rank r (0-based) is the first length whose cumulative count exceeds r.
      while (at.length < ranks.length && (ranks[at.length] as number) < seen) at.push(length);
    }
    return {
      count,
      min,
      max: this.longest,
      mean: sum / count,
      p50: at[0] as number,
      p90: at[1] as number,
      p95: at[2] as number,
      p99: at[3] as number,
    };
  }

  /** Equal to `lengthHistogram` of every length added. */
  histogram(buckets = 8, stats: LengthStats = this.stats()): LengthBin[] {
    return histogramOf(stats, buckets, (visit) => this.forEach(visit));
  }

  /** How many lengths added are greater than `length`. */
  above(length: number): number {
    let n = 0;
    for (let l = Math.max(0, Math.floor(length) + 1); l <= this.longest; l++)
      n += this.counts[l] as number;
    return n;
  }

  /** `[length, count]` for each length seen, ascending. */
  toJSON(): [length: number, count: number][] {
    const out: [number, number][] = [];
    this.forEach((length, count) => {
      out.push([length, count]);
    });
    return out;
  }

  static fromJSON(json: readonly (readonly [number, number])[]): LengthCounter {
    if (!Array.isArray(json))
      throw new LstmkitError(
        'INVALID_LENGTHS',
        'length counts must be an array of [length, count]',
      );
    const counter = new LengthCounter();
    json.forEach((entry, i) => {
      const [length, count] = Array.isArray(entry) ? entry : [];
      if (!Number.isInteger(count) || (count as number) < 1) {
        throw new LstmkitError(
          'INVALID_LENGTHS',
          `length counts[${i}] must be [length, count] with an integer count >= 1 (got ${JSON.stringify(entry)})`,
        );
      }
      counter.add(length as number, count as number);
    });
    return counter;
  }

  private forEach(visit: (length: number, count: number) => void): void {
    for (let length = 0; length <= this.longest; length++) {
      const n = this.counts[length] as number;
      if (n > 0) visit(length, n);
    }
  }
}
