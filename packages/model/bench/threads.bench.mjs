// The fused LSTM kernel in several configurations (kernel × threads), alternating rounds in one
// process: a training step (bench-kit's, FusedAdam as the trainer uses) at batch 32 and
// inference at batch 256, random ids (every row real). Prints the medians and, for every
// configuration, the median of its per-round ratios to the first one; writes
// bench-results/threads-<time>.json. Run `pnpm build` first. Configurations whose kernel is
// not available here (native without its package) are left out, and the output says so.
//
//   node bench/threads.bench.mjs [--preset textbook|default] [--arch lstm|bilstm] [--columns 16]
//     [--rounds 6] [--configs wasm:1,wasm:2,native:1,native:2]
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { createModel, FusedAdam, initBackend, modelPresets } from '../dist/index.js';
import { trainStep } from './bench-kit.mjs';

const { values: args } = parseArgs({
  options: {
    preset: { type: 'string', default: 'textbook' },
    arch: { type: 'string' },
    columns: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '6' },
    configs: { type: 'string', default: 'wasm:1,wasm:2,native:1,native:2' },
  },
});
const columns = Number(args.columns);
const configs = [];
for (const spec of args.configs.split(',')) {
  const [kernel, threads] = spec.split(':');
  try {
    await initBackend({ backend: 'wasm', kernel, threads: Number(threads), log: () => {} });
    configs.push({ name: spec, kernel, threads: Number(threads) });
  } catch (error) {
    console.log(`skipping ${spec}: ${error.message}`);
  }
}
const model = createModel({
  ...modelPresets[args.preset].model,
  ...(args.arch ? { arch: args.arch } : {}),
  recurrentInitializer: 'glorotUniform',
  vocabSize: 5000,
  numClasses: 2,
  seed: 1,
});
const optimizer = new FusedAdam(1e-3);
const x = tf.tidy(() => tf.randomUniform([32, columns], 1, 5000, 'int32', 7));
const y = tf.tidy(() =>
  tf.cast(tf.greater(tf.randomUniform([32, 1], 0, 1, 'float32', 8), 0.5), 'float32'),
);
const predictX = tf.tidy(() => tf.randomUniform([256, columns], 1, 5000, 'int32', 9));
const step = Object.fromEntries(configs.map((c) => [c.name, []]));
const predict = Object.fromEntries(configs.map((c) => [c.name, []]));
for (let round = 0; round < Number(args.rounds); round++) {
  for (const c of round % 2 ? [...configs].reverse() : configs) {
    await initBackend({ backend: 'wasm', kernel: c.kernel, threads: c.threads, log: () => {} });
    trainStep(model, optimizer, x, y);
    let started = performance.now();
    for (let i = 0; i < 10; i++) trainStep(model, optimizer, x, y);
    step[c.name].push((performance.now() - started) / 10);
    started = performance.now();
    for (let i = 0; i < 5; i++) tf.tidy(() => model.predict(predictX).dataSync());
    predict[c.name].push((performance.now() - started) / 5);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const base = configs[0].name;
/** Median over rounds of base time / this time (> 1: faster than the first configuration). */
const speedup = (r, name) => median(r[name].map((v, i) => r[base][i] / v));
const result = {
  date: new Date().toISOString(),
  loadAverage: loadavg(),
  setup: { ...args, batch: 32, predictBatch: 256, optimizer: 'FusedAdam' },
  configs: Object.fromEntries(
    configs.map(({ name }) => [
      name,
      {
        trainStepMs: median(step[name]),
        trainSpeedup: speedup(step, name),
        predictBatch256Ms: median(predict[name]),
        predictSpeedup: speedup(predict, name),
      },
    ]),
  ),
};
console.log(`${args.preset} ${args.arch ?? ''} ${columns} columns, ${args.rounds} rounds:`);
for (const [name, r] of Object.entries(result.configs)) {
  console.log(
    `  ${name.padEnd(9)} train step ${r.trainStepMs.toFixed(1)} ms (${r.trainSpeedup.toFixed(2)}x ${base}) | predict 256 ${r.predictBatch256Ms.toFixed(1)} ms (${r.predictSpeedup.toFixed(2)}x)`,
  );
}
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'bench-results');
await mkdir(out, { recursive: true });
const file = join(out, `threads-${result.date.replace(/[:.]/g, '-')}.json`);
await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
console.log(`wrote ${file}`);
