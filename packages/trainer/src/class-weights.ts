import { LstmkitError } from '@lstmkit/preprocess';

/** `'balanced'`, or one weight per class in `labelNames` order. */
export type ClassWeightOption = 'balanced' | readonly number[];

/**
 * Per-class loss weights as Keras' `class_weight`: `'balanced'` is scikit-learn's
 * `n_samples / (n_classes * count(class))` over the training labels (`labelCounts[k]`
 * examples of label k), so every class carries the same total weight. A class absent from
 * training gets weight 0 (it contributes no loss). Each example's own weight multiplies its
 * class's, as Keras multiplies `sample_weight` by `class_weight`.
 */
export function resolveClassWeights(
  option: ClassWeightOption,
  labelCounts: readonly number[],
  labelNames: readonly string[],
): number[] {
  const numClasses = labelNames.length;
  if (option === 'balanced') {
    const total = labelCounts.reduce((a, b) => a + b, 0);
    return labelCounts.map((c) => (c === 0 ? 0 : total / (numClasses * c)));
  }
  if (!Array.isArray(option) || option.length !== numClasses) {
    throw new LstmkitError(
      'INVALID_TRAIN_OPTIONS',
      `Training option 'classWeight' must be 'balanced' or ${numClasses} weights (one per label: ${labelNames.join(', ')}), got ${JSON.stringify(option)}.`,
    );
  }
  option.forEach((w, k) => {
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) {
      throw new LstmkitError(
        'INVALID_TRAIN_OPTIONS',
        `Training option 'classWeight[${k}]' (label '${labelNames[k]}') must be a finite number >= 0, got ${JSON.stringify(w)}.`,
      );
    }
  });
  return [...option];
}
