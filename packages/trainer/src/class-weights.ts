import { LstmkitError } from '@lstmkit/preprocess';

/** `'balanced'`, or one weight per class in `labelNames` order. */
export type ClassWeightOption = 'balanced' | readonly number[];

/**
 * Per-class loss weights as Keras' `class_weight`: `'balanced'` is scikit-learn's
 * `n_samples / (n_classes * count(class))` over the training labels, so every class carries the
 * same total weight. A class absent from training gets weight 0 (it contributes no loss).
 */
export function resolveClassWeights(
  option: ClassWeightOption,
  trainLabels: ArrayLike<number>,
  labelNames: readonly string[],
): number[] {
  const numClasses = labelNames.length;
  if (option === 'balanced') {
    const counts = new Array<number>(numClasses).fill(0);
    for (let i = 0; i < trainLabels.length; i++) counts[trainLabels[i]!]!++;
    return counts.map((c) => (c === 0 ? 0 : trainLabels.length / (numClasses * c)));
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

/**
 * The loss weight of each training example: its own `weight` (default 1) times its class's
 * weight, as Keras multiplies `sample_weight` by `class_weight`. Undefined when every weight
 * is 1, so unweighted runs take the unweighted path.
 */
export function exampleWeights(
  examples: readonly { label: number; weight?: number }[],
  classWeights: readonly number[] | undefined,
): Float32Array | undefined {
  const weighted = classWeights !== undefined || examples.some((e) => e.weight !== undefined);
  if (!weighted) return undefined;
  return Float32Array.from(examples, (e, i) => {
    const own = e.weight ?? 1;
    if (typeof own !== 'number' || !Number.isFinite(own) || own < 0) {
      throw new LstmkitError(
        'INVALID_DATASET',
        `Example ${i} of the train split has weight ${JSON.stringify(e.weight)}; weights must be finite numbers >= 0.`,
      );
    }
    return own * (classWeights?.[e.label] ?? 1);
  });
}
