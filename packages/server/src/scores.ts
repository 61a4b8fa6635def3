import { LstmkitError, type Prediction } from '@lstmkit/model';

export interface LabelScore {
  label: string;
  score: number;
}

/** `top_k` as the Hugging Face clients send it: a positive integer, or null/absent for all. */
export function parseTopK(value: unknown, field = 'top_k'): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Number.isInteger(value) || (value as number) < 1) {
    throw new LstmkitError(
      'INVALID_INPUT',
      `${field} must be a positive integer, got ${JSON.stringify(value)}`,
    );
  }
  return value as number;
}

/** Every class's probability, highest first; `topK` keeps the first k (all if k > classes). */
export function rankedScores(
  prediction: Prediction,
  labels: readonly string[],
  topK?: number,
): LabelScore[] {
  return prediction.probabilities
    .map((score, i) => ({ label: labels[i]!, score }))
    .sort((a, b) => b.score - a.score)
    .slice(0, topK);
}
