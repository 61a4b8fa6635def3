// Training speed on UCI sentiment, default backend: seconds per epoch and training sentences/s
// for the textbook model (LSTM 100 x2, batch 32), its BiLSTM variant (the PyTorch reference's
// BiLSTM) and the default preset (one BiLSTM 64 with pooling), plus an A/B of
// full-length against bucketed + trimmed batches on the same model.
// Imports the built packages: `pnpm build` first. Writes bench-results/trainer-<date>.json.
//   pnpm bench            (LSTMKIT_DATA_HOME must hold uci-sentiment)
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createModel, initBackend, modelPresets } from '@lstmkit/model';
import {
  createRng,
  pipelinePresets,
  shuffleInPlace,
  splitDataset,
  TextPipeline,
} from '@lstmkit/preprocess';
import { loadDataset } from '@lstmkit/preprocess/node';
import { train } from '@lstmkit/trainer';
import * as tf from '@tensorflow/tfjs';

const EPOCHS = Number(process.env.BENCH_EPOCHS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
// Side by side with PyTorch: the root `pnpm bench:compare`.
const CONFIGS = [
  { name: 'textbook', preset: 'textbook', model: {} },
  { name: 'textbook-bilstm', preset: 'textbook', model: { arch: 'bilstm' } },
  { name: 'default', preset: 'default', model: {} },
];

const loadBefore = loadavg();
const backend = await initBackend({ log: () => {} });
const dataset = await loadDataset('uci-sentiment');

async function trainer({ name, preset, model }) {
  const outDir = join(tmpdir(), `lstmkit-bench-${process.pid}-${name}`);
  const result = await train({
    dataset,
    preset,
    model,
    epochs: EPOCHS,
    patience: 0,
    seed: 1,
    outDir,
  });
  const report = JSON.parse(await readFile(result.reportPath, 'utf8'));
  await rm(outDir, { recursive: true, force: true });
  await rm(`${outDir}.report`, { recursive: true, force: true });
  return {
    secondsPerEpoch: result.secondsPerEpoch,
    epochSeconds: report.timings.epochSeconds,
    trainSentencesPerSecond: report.timings.trainSentencesPerSecond,
    paddingFraction: report.padding,
    testAccuracy: result.test.accuracy,
  };
}

/**
 * What bucketing + trimming buys, isolated: one compiled model, stock `trainOnBatch`, the same
 * sampled batches fed at full padded length and trimmed to their longest sentence, in
 * alternating rounds so load changes on a shared machine hit both sides alike.
 */
async function trimmingAb({ preset, model: overrides }) {
  const { train: rows } = splitDataset(dataset.examples, { seed: 1 });
  const pipeline = TextPipeline.fit(
    rows.map((e) => e.text),
    pipelinePresets[preset],
  );
  const model = createModel({
    ...modelPresets[preset].model,
    ...overrides,
    vocabSize: pipeline.vocabulary.size,
    numClasses: 2,
    seed: 1,
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'binaryCrossentropy' });
  // Batches as the trainer builds them: a seeded shuffle, a chunk of 50 batches sorted by
  // length; every 4th batch of the chunk covers the length distribution.
  const batchSize = 32;
  const order = shuffleInPlace(
    rows.map((_, i) => i),
    createRng(1),
  ).slice(0, 50 * batchSize);
  const encoded = order.map((i) => pipeline.encode(rows[i].text));
  const realLength = (ids) => ids.reduce((n, id) => n + (id === 0 ? 0 : 1), 0);
  const sorted = order
    .map((_, k) => k)
    .sort((a, b) => realLength(encoded[a]) - realLength(encoded[b]));
  const batches = [];
  for (let b = 0; b < 50; b += 4) batches.push(sorted.slice(b * batchSize, (b + 1) * batchSize));
  const length = pipelinePresets[preset].sequence.length;
  const tensors = (members, trim) => {
    const rowsIds = members.map((k) => encoded[k]);
    let from = 0;
    let to = length;
    if (trim) {
      from = Math.min(
        ...rowsIds.map((ids) => ids.findIndex((id) => id !== 0)).filter((i) => i >= 0),
      );
      to = Math.max(...rowsIds.map((ids) => ids.findLastIndex((id) => id !== 0) + 1));
    }
    const data = new Int32Array(members.length * (to - from));
    rowsIds.forEach((ids, r) => {
      data.set(ids.subarray(from, to), r * (to - from));
    });
    return {
      x: tf.tensor2d(data, [members.length, to - from], 'int32'),
      y: tf.tensor2d(
        members.map((k) => [rows[order[k]].label]),
        [members.length, 1],
      ),
      columns: to - from,
    };
  };
  const round = async (trim) => {
    const started = performance.now();
    let columns = 0;
    for (const members of batches) {
      const { x, y, columns: c } = tensors(members, trim);
      columns += c;
      await model.trainOnBatch(x, y);
      tf.dispose([x, y]);
    }
    const seconds = (performance.now() - started) / 1000;
    return {
      sentencesPerSecond: (batches.length * batchSize) / seconds,
      meanColumns: columns / batches.length,
    };
  };
  await round(true); // warm-up
  const full = [];
  const trimmed = [];
  for (let i = 0; i < ROUNDS; i++) {
    full.push(await round(false));
    trimmed.push(await round(true));
  }
  model.dispose();
  const median = (xs) => xs.map((r) => r.sentencesPerSecond).sort((a, b) => a - b)[xs.length >> 1];
  return {
    batches: batches.length,
    rounds: ROUNDS,
    fullLength: { columns: length, sentencesPerSecond: median(full) },
    trimmed: { meanColumns: trimmed[0].meanColumns, sentencesPerSecond: median(trimmed) },
    speedup: median(trimmed) / median(full),
  };
}

const results = {};
for (const config of CONFIGS) {
  const ours = await trainer(config);
  results[config.name] = {
    model: { ...modelPresets[config.preset].model, ...config.model },
    sequenceLength: pipelinePresets[config.preset].sequence.length,
    batchSize: 32,
    trainer: ours,
    trimmingAb: await trimmingAb(config),
  };
  process.stderr.write(`${config.name}: ${JSON.stringify(results[config.name])}\n`);
}

const output = {
  benchmark: 'trainer',
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model,
  cores: cpus().length,
  backend,
  // the machine is shared: 1-minute load averages before and after
  loadAverage: [loadBefore[0], loadavg()[0]],
  epochs: EPOCHS,
  results,
};
const dir = new URL('../bench-results/', import.meta.url);
await mkdir(dir, { recursive: true });
const file = new URL(`trainer-${output.date.slice(0, 10)}.json`, dir);
await writeFile(file, `${JSON.stringify(output, null, 2)}\n`);
console.log(JSON.stringify(output, null, 2));
