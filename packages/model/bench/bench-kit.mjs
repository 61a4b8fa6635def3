// Shared by the model benchmarks: a median timer and one Adam step on binary cross-entropy.
import * as tf from '@tensorflow/tfjs';

/** Median of `fn`'s wall time after `warmup` calls: at least `min` and at most `max` runs, within `budgetMs`. */
export function measure(fn, { budgetMs, warmup = 1, min = 1, max = 20 }) {
  for (let i = 0; i < warmup; i++) fn();
  const times = [];
  const start = performance.now();
  while (times.length < max && (times.length < min || performance.now() - start < budgetMs)) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { runs: times.length, medianMs: times[Math.floor(times.length / 2)] };
}

/** One optimizer step in training mode (dropout active), synchronised on the loss. */
export function trainStep(model, optimizer, x, y) {
  const loss = optimizer.minimize(() => {
    const p = model.apply(x, { training: true });
    return tf.mean(tf.metrics.binaryCrossentropy(y, p));
  }, true);
  loss.dataSync();
  loss.dispose();
}
