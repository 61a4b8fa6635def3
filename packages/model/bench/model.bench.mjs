// Training-step time and inference throughput of the built @lstmkit/model, per backend and
// preset. Run `pnpm build` (turbo builds @lstmkit/preprocess too) and then `pnpm bench`.
// Every measurement is bounded in time; results go to bench-results/model-<timestamp>.json.
//
//   node bench/model.bench.mjs [--backends wasm,cpu] [--budget-seconds 8]
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRng, pipelinePresets, TextPipeline } from '@lstmkit/preprocess';
import * as tf from '@tensorflow/tfjs';
import { Classifier, createModel, initBackend, modelPresets, saveBundle } from '../dist/index.js';
import { measure as measureMedian, trainStep } from './bench-kit.mjs';

const { values: args } = parseArgs({
  options: {
    backends: { type: 'string', default: 'wasm,cpu' },
    'budget-seconds': { type: 'string', default: '8' },
  },
});
const budgetMs = Number(args['budget-seconds']) * 1000;
const VOCAB = 5000;
const TRAIN_BATCH = 32;
const TRAIN_LENGTH = 50;

/** Sentences shaped like the UCI data: Zipf-ish words, mean ~12 tokens, max 70. */
function corpus(count, rng) {
  const words = Array.from({ length: VOCAB - 2 }, (_, i) => `w${i}`);
  const pick = () => words[Math.min(words.length - 1, Math.floor(words.length * rng() ** 3))];
  const texts = [words.join(' ')]; // every word once, so the vocabulary has VOCAB entries
  for (let i = 0; i < count; i++) {
    const length = Math.max(1, Math.min(70, Math.round(-Math.log(1 - rng()) * 11.8)));
    texts.push(Array.from({ length }, pick).join(' '));
  }
  return texts;
}

const measure = (fn, options = {}) => measureMedian(fn, { budgetMs, ...options });

const rng = createRng(42);
const texts = corpus(3000, rng);
const sample = texts.slice(1, 257);
const bulk = texts.slice(1, 1025);
const root = await mkdtemp(join(tmpdir(), 'lstmkit-bench-'));
const results = [];
try {
  for (const backend of args.backends.split(',')) {
    const info = await initBackend({ backend, log: () => {} });
    for (const preset of ['textbook', 'default']) {
      const { model: shape } = modelPresets[preset];
      const pipeline = TextPipeline.fit(texts, pipelinePresets[preset]);
      // glorotUniform: orthogonal takes tens of seconds to build on cpu and does not change
      // the step time.
      const config = {
        ...shape,
        recurrentInitializer: 'glorotUniform',
        vocabSize: pipeline.vocabulary.size,
        numClasses: 2,
        seed: 1,
      };
      const model = createModel(config);
      const params = model.countParams();
      const optimizer = tf.train.adam(1e-3);
      const x = tf.tidy(() =>
        tf.randomUniform([TRAIN_BATCH, TRAIN_LENGTH], 1, config.vocabSize, 'int32', 7),
      );
      const y = tf.tidy(() =>
        tf.cast(tf.greater(tf.randomUniform([TRAIN_BATCH, 1], 0, 1, 'float32', 8), 0.5), 'float32'),
      );
      const step = measure(() => trainStep(model, optimizer, x, y), { max: 5 });
      tf.dispose([x, y]);
      optimizer.dispose();

      const dir = join(root, `${backend}-${preset}`);
      await saveBundle(dir, { model, pipeline, labelNames: ['neg', 'pos'], modelConfig: config });
      model.dispose();
      const classifier = await Classifier.load(dir);
      let next = 0;
      const one = measure(
        () => classifier.predict([sample[next++ % sample.length]], { batchSize: 1 }),
        {
          warmup: 3,
          max: 200,
        },
      );
      const batch = measure(() => classifier.predict(sample, { batchSize: 256 }), { max: 5 });
      // 1024 sentences at batch 256: predict groups them by length before trimming padding.
      const grouped = measure(() => classifier.predict(bulk, { batchSize: 256 }), {
        warmup: 0,
        max: 1,
      });
      classifier.dispose();

      const row = {
        backend: info.name,
        preset,
        arch: config.arch,
        layers: config.layers,
        hiddenSize: config.hiddenSize,
        params,
        trainStepMs: round(step.medianMs),
        trainSentencesPerSecond: round((TRAIN_BATCH * 1000) / step.medianMs),
        trainStepRuns: step.runs,
        inferBatch1Ms: round(one.medianMs),
        inferBatch1SentencesPerSecond: round(1000 / one.medianMs),
        inferBatch256SentencesPerSecond: round((sample.length * 1000) / batch.medianMs),
        inferBulk1024SentencesPerSecond: round((bulk.length * 1000) / grouped.medianMs),
        inferRuns: [one.runs, batch.runs, grouped.runs],
      };
      results.push(row);
      console.log(
        `${row.backend.padEnd(5)} ${preset.padEnd(8)} ${config.arch.padEnd(6)} train step ${row.trainStepMs} ms ` +
          `(${row.trainSentencesPerSecond} sent/s) | predict 1: ${row.inferBatch1Ms} ms | ` +
          `batch 256: ${row.inferBatch256SentencesPerSecond} sent/s | ` +
          `1024 at batch 256: ${row.inferBulk1024SentencesPerSecond} sent/s`,
      );
    }
  }
} finally {
  await rm(root, { recursive: true, force: true });
}

function round(value) {
  return Math.round(value * 10) / 10;
}

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'bench-results');
await mkdir(out, { recursive: true });
const file = join(out, `model-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
await writeFile(
  file,
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      node: process.version,
      cpu: cpus()[0]?.model,
      cores: cpus().length,
      // The machine may be shared: compare rows of one run, not runs taken under other loads.
      loadAverage: loadavg().map(round),
      tfjs: tf.version.tfjs,
      setup: {
        vocab: VOCAB,
        trainBatch: TRAIN_BATCH,
        trainLength: TRAIN_LENGTH,
        inferenceSentences: sample.length,
        meanTokens: 11.8,
        budgetSeconds: budgetMs / 1000,
      },
      results,
    },
    null,
    2,
  )}\n`,
);
console.log(`wrote ${file}`);
