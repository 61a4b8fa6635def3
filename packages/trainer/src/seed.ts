/**
 * A 32-bit seed mixed from a base seed and counters (murmur3 finalizer), so each epoch's
 * shuffle and each step's dropout masks follow from (seed, epoch, step) alone: a resumed run
 * needs no saved RNG state to replay them.
 */
export function deriveSeed(seed: number, ...parts: number[]): number {
  let h = seed >>> 0;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x9e3779b1);
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}
