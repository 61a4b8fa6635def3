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
  const top = Math.max(1, Math.ceil(stats.p99));
  const width = Math.max(1, Math.ceil((top + 1) / buckets));
  const bins = Array.from({ length: Math.ceil((top + 1) / width) }, (_, i) => ({
    from: i * width,
    to: (i + 1) * width - 1,
    count: 0,
  }));
  for (const length of Array.from(lengths)) {
    const bin = bins[Math.min(bins.length - 1, Math.floor(length / width))];
    if (bin) bin.count += 1;
  }
  const last = bins[bins.length - 1];
  if (last) last.to = Math.max(last.to, stats.max);
  return bins;
}
