import { resolveSequenceConfig, type SequenceConfig } from './config';

/** Row-major `[batch, length]` ids, ready for a tensor. */
export interface EncodedBatch {
  data: Int32Array;
  shape: [batch: number, length: number];
}

/**
 * Writes `count` ids, read through `idAt`, into `out[offset .. offset + length)`, truncated and
 * padded as configured. `out` must already hold `padId` there (a fresh Int32Array holds 0).
 * Shared by `padSequence` and the pipeline's encoder, which reads ids straight from tokens.
 */
export function writePadded(
  count: number,
  idAt: (index: number) => number,
  config: SequenceConfig,
  out: Int32Array,
  offset: number,
): void {
  const { length } = config;
  const n = Math.min(count, length);
  // truncating 'pre' cuts the start, so the last n ids are kept.
  const from = config.truncating === 'pre' ? count - n : 0;
  const to = config.padding === 'pre' ? offset + length - n : offset;
  for (let i = 0; i < n; i++) out[to + i] = idAt(from + i);
}

export function padSequence(ids: ArrayLike<number>, config: SequenceConfig, padId = 0): Int32Array {
  const c = resolveSequenceConfig(config);
  const out = new Int32Array(c.length);
  if (padId !== 0) out.fill(padId);
  writePadded(ids.length, (i) => ids[i] as number, c, out, 0);
  return out;
}
