/** Plain data so it can live in the run state and survive a resume. */
export interface EarlyStoppingState {
  bestLoss: number | null;
  bestEpoch: number;
  bestStep: number;
  /** Evaluations since the last improvement. */
  wait: number;
}

export function initialEarlyStopping(): EarlyStoppingState {
  return { bestLoss: null, bestEpoch: 0, bestStep: 0, wait: 0 };
}

/**
 * Record one validation loss. Improvement is strict (equal loss is no progress); a NaN loss
 * never improves. `stop` is true once `patience` evaluations in a row failed to improve
 * (patience 0 never stops).
 */
export function recordEvaluation(
  state: EarlyStoppingState,
  loss: number,
  at: { epoch: number; step: number },
  patience: number,
): { state: EarlyStoppingState; improved: boolean; stop: boolean } {
  const improved = !Number.isNaN(loss) && (state.bestLoss === null || loss < state.bestLoss);
  const next: EarlyStoppingState = improved
    ? { bestLoss: loss, bestEpoch: at.epoch, bestStep: at.step, wait: 0 }
    : { ...state, wait: state.wait + 1 };
  return { state: next, improved, stop: patience > 0 && next.wait >= patience };
}
