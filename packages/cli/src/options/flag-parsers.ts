import { InvalidArgumentError } from 'commander';

/** Commander argument parsers: they reject a bad value with a message naming the limit. */

export function integerIn(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const trimmed = value.trim();
    if (!/^[+-]?\d+$/.test(trimmed))
      throw new InvalidArgumentError(`expected an integer, got '${value}'.`);
    const n = Number(trimmed);
    if (n < min || n > max) {
      throw new InvalidArgumentError(
        max === Number.MAX_SAFE_INTEGER
          ? `must be at least ${min}.`
          : `must be between ${min} and ${max}.`,
      );
    }
    return n;
  };
}

export function numberIn(
  min: number,
  max: number,
  { exclusiveMin = false, exclusiveMax = false } = {},
): (value: string) => number {
  return (value) => {
    const trimmed = value.trim();
    const n = trimmed === '' ? Number.NaN : Number(trimmed);
    if (!Number.isFinite(n)) throw new InvalidArgumentError(`expected a number, got '${value}'.`);
    const low = exclusiveMin ? n <= min : n < min;
    const high = exclusiveMax ? n >= max : n > max;
    if (low || high) {
      const left = exclusiveMin ? '(' : '[';
      const right = exclusiveMax ? ')' : ']';
      throw new InvalidArgumentError(`must be in ${left}${min}, ${max}${right}.`);
    }
    return n;
  };
}

export function port(value: string): number {
  return integerIn(0, 65_535)(value);
}

/** `balanced`, or one non-negative weight per label in label order: `1,3.5`. */
export function classWeight(value: string): 'balanced' | number[] {
  if (value.trim() === 'balanced') return 'balanced';
  const weights = value.split(',').map((w) => (w.trim() === '' ? Number.NaN : Number(w)));
  if (weights.length < 2 || weights.some((w) => !Number.isFinite(w) || w < 0)) {
    throw new InvalidArgumentError(
      `expected 'balanced' or one weight >= 0 per label (e.g. 1,3), got '${value}'.`,
    );
  }
  return weights;
}

/** `auto` or a probability threshold in (0, 1). */
export function threshold(value: string): 'auto' | number {
  if (value.trim() === 'auto') return 'auto';
  const n = Number(value);
  if (value.trim() === '' || !(n > 0 && n < 1)) {
    throw new InvalidArgumentError(`expected 'auto' or a number in (0, 1), got '${value}'.`);
  }
  return n;
}
