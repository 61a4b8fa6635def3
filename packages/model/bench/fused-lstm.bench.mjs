// Training-step time of the textbook model (embedding 50 -> LSTM 100 x 2 -> dropout 0.8 ->
// dense 1), stock tfjs LSTM layers vs the fused WebAssembly LSTM (ModelConfig.kernel 'fused'),
// on the wasm backend at batch 32. Shapes: full 50-token rows (no padding: the worst case),
// UCI-like sentences pre-padded to 50, and the same trimmed to the batch's longest row (what
// the trainer feeds). Run `pnpm build` first; results go to bench-results/fused-lstm-<time>.json.
//
//   node bench/fused-lstm.bench.mjs [--budget-seconds 6]
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRng } from '@lstmkit/preprocess';
import * as tf from '@tensorflow/tfjs';
import { createModel, initBackend, modelPresets } from '../dist/index.js';
import { measure as measureMedian, trainStep } from './bench-kit.mjs';

const { values: args } = parseArgs({
  options: { 'budget-seconds': { type: 'string', default: '6' } },
});
const budgetMs = Number(args['budget-seconds']) * 1000;
const VOCAB = 5000;
const BATCH = 32;
const LENGTH = 50;

const measure = (fn) => measureMedian(fn, { budgetMs, warmup: 2, min: 3, max: 30 });

/**
 * Row lengths like UCI's (mean ~12, max 70 cut to 50); `full` gives every row 50 tokens.
 * 'trimmed' is one batch of the trainer's: it sorts ~50 batches by length and trims each, so a
 * batch holds similar lengths; this takes the batch at the 75th percentile of length.
 */
function batchIds(kind, rng) {
  const draw = () => Math.max(1, Math.min(LENGTH, Math.round(-Math.log(1 - rng()) * 11.8)));
  let lengths = Array.from({ length: BATCH }, () => (kind === 'full' ? LENGTH : draw()));
  if (kind === 'trimmed') {
    const pool = Array.from({ length: BATCH * 50 }, draw).sort((a, b) => a - b);
    const start = Math.floor(pool.length * 0.75);
    lengths = pool.slice(start, start + BATCH);
  }
  const columns = kind === 'trimmed' ? Math.max(...lengths) : LENGTH;
  const ids = new Int32Array(BATCH * columns);
  lengths.forEach((length, row) => {
    for (let c = columns - length; c < columns; c++) {
      ids[row * columns + c] = 1 + Math.floor(rng() * (VOCAB - 1));
    }
  });
  return { ids, columns, meanLength: lengths.reduce((a, b) => a + b, 0) / BATCH };
}

await initBackend({ backend: 'wasm', log: () => {} });
const results = [];
const rng = createRng(42);
const shapes = ['full', 'padded', 'trimmed'].map((kind) => ({ kind, ...batchIds(kind, rng) }));
for (const shape of shapes) {
  for (const kernel of ['tfjs', 'fused']) {
    const model = createModel({
      ...modelPresets.textbook.model,
      recurrentInitializer: 'glorotUniform',
      vocabSize: VOCAB,
      numClasses: 2,
      seed: 1,
      kernel,
    });
    const optimizer = tf.train.adam(1e-3);
    const x = tf.tensor2d(shape.ids, [BATCH, shape.columns], 'int32');
    const y = tf.tensor2d(
      Array.from({ length: BATCH }, (_, i) => i % 2),
      [BATCH, 1],
    );
    const step = measure(() => trainStep(model, optimizer, x, y));
    const predict = measure(() => tf.tidy(() => model.predict(x).dataSync()));
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
    const row = {
      shape: shape.kind,
      columns: shape.columns,
      meanTokens: Math.round(shape.meanLength * 10) / 10,
      kernel,
      trainStepMs: round(step.medianMs),
      trainSentencesPerSecond: round((BATCH * 1000) / step.medianMs),
      predictBatchMs: round(predict.medianMs),
      runs: step.runs,
    };
    results.push(row);
    console.log(
      `${shape.kind.padEnd(8)} ${String(shape.columns).padStart(2)} cols  ${kernel.padEnd(5)} ` +
        `train step ${row.trainStepMs} ms = ${row.trainSentencesPerSecond} sent/s | ` +
        `predict batch ${row.predictBatchMs} ms`,
    );
  }
}

function round(value) {
  return Math.round(value * 100) / 100;
}

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'bench-results');
await mkdir(out, { recursive: true });
const file = join(out, `fused-lstm-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
const report = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model,
  // The machine may be shared: compare rows of one run.
  loadAverage: loadavg().map(round),
  tfjs: tf.version.tfjs,
  setup: {
    model: 'textbook',
    vocab: VOCAB,
    batch: BATCH,
    length: LENGTH,
    budgetSeconds: budgetMs / 1000,
  },
  results,
};
await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
console.log(`wrote ${file}`);
