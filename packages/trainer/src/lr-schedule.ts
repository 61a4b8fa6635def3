import { LstmkitError } from '@lstmkit/preprocess';

export type LrScheduleName = 'constant' | 'plateau' | 'cosine';

/** The learning-rate schedule of a run; all fields resolved. */
export interface LrSchedule {
  type: LrScheduleName;
  /** Linear warmup from lr / warmupSteps to lr over the first steps (any schedule). */
  warmupSteps: number;
  /** plateau: multiply by this when validation loss stopped improving (Keras `factor`). */
  factor: number;
  /** plateau: evaluations without improvement before reducing (Keras `patience`). */
  patience: number;
  /** plateau: an improvement must beat the best loss by more than this (Keras `min_delta`). */
  minDelta: number;
  /** plateau: evaluations to wait after a reduction before counting again (Keras `cooldown`). */
  cooldown: number;
  /** plateau: floor of the reductions; cosine: the value the decay ends at. */
  minLearningRate: number;
}

export type LrScheduleOption =
  | LrScheduleName
  | ({ type: LrScheduleName } & Partial<Omit<LrSchedule, 'type'>>);

/**
 * Defaults: plateau halves the rate after one evaluation without improvement, so it acts
 * before early stopping (patience 3) ends the run; Keras' own defaults (0.1, patience 10) suit
 * runs of many epochs without early stopping.
 */
export const lrScheduleDefaults: Omit<LrSchedule, 'type'> = {
  warmupSteps: 0,
  factor: 0.5,
  patience: 1,
  minDelta: 1e-4,
  cooldown: 0,
  minLearningRate: 1e-6,
};

/** Plain data in the run state: a resumed run continues the schedule exactly. */
export interface LrScheduleState {
  /** The rate the schedule returns after warmup (plateau lowers it). */
  base: number;
  /** cosine: steps the decay spans, fixed at the start (epochs may change on resume). */
  totalSteps: number;
  best: number | null;
  wait: number;
  cooldownLeft: number;
}

export function resolveLrSchedule(
  option: LrScheduleOption | undefined,
  warmupSteps?: number,
): LrSchedule {
  const given =
    typeof option === 'string' || option === undefined ? { type: option ?? 'constant' } : option;
  const schedule: LrSchedule = {
    ...lrScheduleDefaults,
    ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)),
    ...(warmupSteps !== undefined && { warmupSteps }),
  } as LrSchedule;
  const bad = (field: string, expected: string, value: unknown): never => {
    throw new LstmkitError(
      'INVALID_TRAIN_OPTIONS',
      `Training option 'lrSchedule${field}' must be ${expected}, got ${JSON.stringify(value)}.`,
    );
  };
  if (!['constant', 'plateau', 'cosine'].includes(schedule.type)) {
    bad(
      typeof option === 'string' ? '' : '.type',
      "'constant', 'plateau' or 'cosine'",
      schedule.type,
    );
  }
  const int = (field: 'warmupSteps' | 'patience' | 'cooldown') => {
    const v = schedule[field];
    if (!Number.isInteger(v) || v < 0) bad(`.${field}`, 'an integer >= 0', v);
  };
  int('warmupSteps');
  int('patience');
  int('cooldown');
  if (!(schedule.factor > 0 && schedule.factor < 1)) bad('.factor', 'in (0, 1)', schedule.factor);
  if (!(schedule.minDelta >= 0 && Number.isFinite(schedule.minDelta))) {
    bad('.minDelta', 'a finite number >= 0', schedule.minDelta);
  }
  if (!(schedule.minLearningRate >= 0 && Number.isFinite(schedule.minLearningRate))) {
    bad('.minLearningRate', 'a finite number >= 0', schedule.minLearningRate);
  }
  return schedule;
}

export function initialLrState(learningRate: number, totalSteps: number): LrScheduleState {
  return { base: learningRate, totalSteps, best: null, wait: 0, cooldownLeft: 0 };
}

/** The rate of optimizer step `step` (0-based). */
export function learningRateAt(schedule: LrSchedule, state: LrScheduleState, step: number): number {
  if (step < schedule.warmupSteps) return (state.base * (step + 1)) / schedule.warmupSteps;
  if (schedule.type !== 'cosine') return state.base;
  const span = Math.max(1, state.totalSteps - schedule.warmupSteps);
  const progress = Math.min(1, (step - schedule.warmupSteps) / span);
  const floor = Math.min(schedule.minLearningRate, state.base);
  return floor + (state.base - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
}

/**
 * After each validation: Keras' ReduceLROnPlateau on validation loss (mode 'min'). Other
 * schedules do not react. A NaN loss counts as no improvement.
 */
export function recordValidationLoss(
  schedule: LrSchedule,
  state: LrScheduleState,
  loss: number,
): LrScheduleState {
  if (schedule.type !== 'plateau') return state;
  const next = { ...state };
  if (next.cooldownLeft > 0) {
    next.cooldownLeft--;
    next.wait = 0;
  }
  if (!Number.isNaN(loss) && (next.best === null || loss < next.best - schedule.minDelta)) {
    next.best = loss;
    next.wait = 0;
  } else if (next.cooldownLeft === 0) {
    next.wait++;
    if (next.wait >= schedule.patience && next.base > schedule.minLearningRate) {
      next.base = Math.max(next.base * schedule.factor, schedule.minLearningRate);
      next.cooldownLeft = schedule.cooldown;
      next.wait = 0;
    }
  }
  return next;
}

/** `[step, rate]` pairs where the rate changed: the exact rate of every step, compactly. */
export type LearningRateSeries = [step: number, learningRate: number][];

export function recordLearningRate(series: LearningRateSeries, step: number, rate: number): void {
  if (series.at(-1)?.[1] !== rate) series.push([step, rate]);
}
