/**
 * The one decision rule from class probabilities to a class, shared by `Classifier`, the
 * trainer's step and evaluation metrics. Binary (two probabilities, P(class 1) last): class 1
 * when P(class 1) >= threshold. More classes: the most probable, the lowest index on ties.
 */
export const decisionDefaults = {
  /** A bundle's stored threshold (tuned on validation data) replaces this where it is passed. */
  binaryThreshold: 0.5,
} as const;

export function decideClass(
  probabilities: ArrayLike<number>,
  threshold: number = decisionDefaults.binaryThreshold,
): number {
  if (probabilities.length === 2) return probabilities[1]! >= threshold ? 1 : 0;
  let best = 0;
  for (let i = 1; i < probabilities.length; i++) {
    if (probabilities[i]! > probabilities[best]!) best = i;
  }
  return best;
}
