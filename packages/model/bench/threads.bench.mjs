// The fused LSTM kernel on 1 and 2 threads, alternating rounds in one process: a training
// step (bench-kit's, stock tfjs Adam) at batch 32 and inference at batch 256, random ids (every
// row real). Prints the medians and the median of the per-round ratios; writes
// bench-results/threads-<time>.json. Run `pnpm build` first.
//
//   node bench/threads.bench.mjs [--preset textbook|default] [--arch lstm|bilstm] [--columns 16] [--rounds 6]
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { createModel, initBackend, modelPresets } from '../dist/index.js';
import { trainStep } from './bench-kit.mjs';

const { values: args } = parseArgs({
  options: {
    preset: { type: 'string', default: 'textbook' },
    arch: { type: 'string' },
    columns: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '6' },
  },
});
const columns = Number(args.columns);
await initBackend({ backend: 'wasm', threads: 1, log: () => {} });
const model = createModel({
  ...modelPresets[args.preset].model,
  ...(args.arch ? { arch: args.arch } : {}),
  recurrentInitializer: 'glorotUniform',
  vocabSize: 5000,
  numClasses: 2,
  seed: 1,
});
const optimizer = tf.train.adam(1e-3);
const x = tf.tidy(() => tf.randomUniform([32, columns], 1, 5000, 'int32', 7));
const y = tf.tidy(() =>
  tf.cast(tf.greater(tf.randomUniform([32, 1], 0, 1, 'float32', 8), 0.5), 'float32'),
);
const predictX = tf.tidy(() => tf.randomUniform([256, columns], 1, 5000, 'int32', 9));
const step = { 1: [], 2: [] };
const predict = { 1: [], 2: [] };
for (let round = 0; round < Number(args.rounds); round++) {
  for (const threads of round % 2 ? [2, 1] : [1, 2]) {
    await initBackend({ backend: 'wasm', threads, log: () => {} });
    trainStep(model, optimizer, x, y);
    let started = performance.now();
    for (let i = 0; i < 10; i++) trainStep(model, optimizer, x, y);
    step[threads].push((performance.now() - started) / 10);
    started = performance.now();
    for (let i = 0; i < 5; i++) tf.tidy(() => model.predict(predictX).dataSync());
    predict[threads].push((performance.now() - started) / 5);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const ratio = (r) => median(r[1].map((v, i) => v / r[2][i]));
const result = {
  date: new Date().toISOString(),
  loadAverage: loadavg(),
  setup: { ...args, batch: 32, predictBatch: 256 },
  trainStepMs: { 1: median(step[1]), 2: median(step[2]) },
  trainSpeedup: ratio(step),
  predictBatch256Ms: { 1: median(predict[1]), 2: median(predict[2]) },
  predictSpeedup: ratio(predict),
};
console.log(
  `${args.preset} ${args.arch ?? ''} ${columns} columns: train step ${result.trainStepMs[1].toFixed(1)} ms (1 thread) ` +
    `${result.trainStepMs[2].toFixed(1)} ms (2): ${result.trainSpeedup.toFixed(2)}x | predict 256 ` +
    `${result.predictBatch256Ms[1].toFixed(1)} / ${result.predictBatch256Ms[2].toFixed(1)} ms: ${result.predictSpeedup.toFixed(2)}x`,
);
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'bench-results');
await mkdir(out, { recursive: true });
const file = join(out, `threads-${result.date.replace(/[:.]/g, '-')}.json`);
await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
console.log(`wrote ${file}`);
