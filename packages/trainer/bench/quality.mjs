// Quality runs on a named dataset: one trained model per seed, test metrics of the best
// checkpoint. Imports the built packages (`pnpm build` first).
//   node bench/quality.mjs --dataset uci-sentiment --preset textbook --seeds 1,2,3
//   node bench/quality.mjs --dataset uci-sentiment --preset default --seeds 1,2,3 --model '{"hiddenSize":64}'
//   node bench/quality.mjs --dataset uci-sentiment --seeds 1,2,3 --min-count 2   # vocabulary.minCount
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createRng, shuffleInPlace } from '@lstmkit/preprocess';
import { loadDataset } from '@lstmkit/preprocess/node';
import { train } from '@lstmkit/trainer';

const { values } = parseArgs({
  options: {
    dataset: { type: 'string', default: 'uci-sentiment' },
    preset: { type: 'string', default: 'default' },
    seeds: { type: 'string', default: '1,2,3' },
    epochs: { type: 'string' },
    patience: { type: 'string' },
    batch: { type: 'string' },
    lr: { type: 'string' },
    model: { type: 'string', default: '{}' },
    pipeline: { type: 'string', default: '{}' },
    limit: { type: 'string' },
    'eval-every': { type: 'string' },
    out: { type: 'string' },
    embeddings: { type: 'string' },
    'keep-missing': { type: 'string' },
    'freeze-epochs': { type: 'string' },
    'class-weight': { type: 'string' },
    threshold: { type: 'string' },
    'threshold-metric': { type: 'string' },
    'lr-schedule': { type: 'string' },
    'warmup-steps': { type: 'string' },
    'weight-decay': { type: 'string' },
    'max-vocab': { type: 'string' },
    'min-count': { type: 'string' },
  },
});
const number = (v) => (v === undefined ? undefined : Number(v));
const dataset = await loadDataset(values.dataset);
if (values.limit) {
  // bounded runs on big data: a seeded random sample of N train and N/2 test examples
  // (files may be sorted by label, so never take the first N)
  const limit = Number(values.limit);
  const rng = createRng(12345);
  const shuffled = shuffleInPlace([...dataset.examples], rng);
  const taken = { train: 0, test: 0, validation: 0 };
  dataset.examples = shuffled.filter((e) => {
    const s = e.split ?? 'train';
    return taken[s]++ < (s === 'train' ? limit : Math.ceil(limit / 2));
  });
}
const runs = [];
for (const seed of values.seeds.split(',').map(Number)) {
  const started = performance.now();
  const result = await train({
    dataset,
    preset: values.preset,
    seed,
    epochs: number(values.epochs),
    patience: number(values.patience),
    batchSize: number(values.batch),
    learningRate: number(values.lr),
    evalEvery: number(values['eval-every']),
    model: JSON.parse(values.model),
    pipeline: JSON.parse(values.pipeline),
    ...((values['max-vocab'] || values['min-count']) && {
      vocabulary: { maxSize: number(values['max-vocab']), minCount: number(values['min-count']) },
    }),
    ...(values.embeddings && {
      embeddings: { path: values.embeddings, keepMissing: number(values['keep-missing']) },
    }),
    ...(values['freeze-epochs'] && { freezeEmbeddings: { epochs: Number(values['freeze-epochs']) } }),
    ...(values['class-weight'] && {
      classWeight:
        values['class-weight'] === 'balanced' ? 'balanced' : values['class-weight'].split(',').map(Number),
    }),
    ...(values.threshold && {
      threshold: values.threshold === 'auto' ? 'auto' : Number(values.threshold),
    }),
    ...(values['threshold-metric'] && { thresholdMetric: values['threshold-metric'] }),
    ...(values['lr-schedule'] && { lrSchedule: values['lr-schedule'] }),
    warmupSteps: number(values['warmup-steps']),
    weightDecay: number(values['weight-decay']),
    outDir: join(tmpdir(), `lstmkit-quality-${process.pid}-${seed}`),
    onEvent: (e) => {
      if (e.type === 'evaluation') {
        process.stderr.write(
          `seed ${seed} epoch ${e.epoch} step ${e.step}: train loss ${e.train.loss.toFixed(4)} acc ${e.train.accuracy.toFixed(3)} | val loss ${e.validation.loss.toFixed(4)} acc ${e.validation.accuracy.toFixed(3)}${e.improved ? ' *' : ''}\n`,
        );
      }
      if (e.type === 'embeddings') {
        const c = e.coverage;
        process.stderr.write(
          `embeddings ${e.dimensions}-d: ${c.found}/${c.words} words found (${(100 * c.tokenCoverage).toFixed(1)}% of tokens); top missing: ${c.topMissing.slice(0, 8).map((m) => m.word).join(' ')}\n`,
        );
      }
      if (e.type === 'epoch')
        process.stderr.write(`seed ${seed} epoch ${e.epoch}: ${e.seconds.toFixed(1)} s\n`);
    },
  });
  const run = {
    seed,
    testAccuracy: result.test.accuracy,
    testF1: result.test.f1,
    testAuc: result.test.rocAuc,
    threshold: result.threshold,
    validationAccuracy: result.validation.accuracy,
    bestEpoch: result.bestEpoch,
    epochsRun: result.epochsRun,
    secondsPerEpoch: result.secondsPerEpoch,
    seconds: (performance.now() - started) / 1000,
    reportPath: result.reportPath,
  };
  runs.push(run);
  process.stderr.write(`${JSON.stringify(run)}\n`);
}
const accuracies = runs.map((r) => r.testAccuracy);
const mean = accuracies.reduce((a, b) => a + b, 0) / accuracies.length;
const std = Math.sqrt(accuracies.reduce((a, b) => a + (b - mean) ** 2, 0) / accuracies.length);
const summary = {
  dataset: values.dataset,
  preset: values.preset,
  options: { ...values, seeds: undefined },
  meanTestAccuracy: mean,
  stdTestAccuracy: std,
  minTestAccuracy: Math.min(...accuracies),
  maxTestAccuracy: Math.max(...accuracies),
  runs,
};
console.log(JSON.stringify(summary, null, 2));
if (values.out) {
  await mkdir(join(values.out, '..'), { recursive: true });
  await writeFile(values.out, `${JSON.stringify(summary, null, 2)}\n`);
}
