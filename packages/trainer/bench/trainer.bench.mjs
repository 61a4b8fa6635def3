// Training speed on UCI sentiment, default backend: seconds per epoch and training sentences/s
// for the textbook model (LSTM 100 x2, batch 32) and the default BiLSTM preset, against a
// stock-tfjs baseline (model.trainOnBatch on full-length padded batches, same model).
// Imports the built packages: `pnpm build` first. Writes bench-results/trainer-<date>.json.
//   pnpm bench            (LSTMKIT_DATA_HOME must hold uci-sentiment)
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createModel, initBackend, modelPresets } from '@lstmkit/model';
import { pipelinePresets, splitDataset, TextPipeline } from '@lstmkit/preprocess';
import { loadDataset } from '@lstmkit/preprocess/node';
import { train } from '@lstmkit/trainer';
import * as tf from '@tensorflow/tfjs';

const EPOCHS = Number(process.env.BENCH_EPOCHS ?? 2);
const BASELINE_STEPS = Number(process.env.BENCH_BASELINE_STEPS ?? 15);
const PYTORCH = { textbook: 500, default: 200 }; // sentences/s, ../../shared/anchors.md

const backend = await initBackend({ log: () => {} });
const dataset = await loadDataset('uci-sentiment');

async function trainer(preset) {
  const outDir = join(tmpdir(), `lstmkit-bench-${process.pid}-${preset}`);
  const result = await train({ dataset, preset, epochs: EPOCHS, patience: 0, seed: 1, outDir });
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

/** Stock tfjs: compiled model, trainOnBatch on batches padded to the full sequence length. */
async function baseline(preset) {
  const { train: rows } = splitDataset(dataset.examples, { seed: 1 });
  const pipeline = TextPipeline.fit(
    rows.map((e) => e.text),
    pipelinePresets[preset],
  );
  const model = createModel({
    ...modelPresets[preset].model,
    vocabSize: pipeline.vocabulary.size,
    numClasses: 2,
    seed: 1,
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'binaryCrossentropy' });
  const batchSize = 32;
  const step = async (i) => {
    const batch = rows.slice((i * batchSize) % (rows.length - batchSize)).slice(0, batchSize);
    const { data, shape } = pipeline.encodeBatch(batch.map((e) => e.text));
    const x = tf.tensor2d(data, shape, 'int32');
    const y = tf.tensor2d(
      batch.map((e) => [e.label]),
      [batch.length, 1],
    );
    await model.trainOnBatch(x, y);
    tf.dispose([x, y]);
  };
  await step(0); // warm-up
  const started = performance.now();
  for (let i = 1; i <= BASELINE_STEPS; i++) await step(i);
  const seconds = (performance.now() - started) / 1000;
  model.dispose();
  const sentencesPerSecond = (BASELINE_STEPS * batchSize) / seconds;
  return {
    steps: BASELINE_STEPS,
    sentencesPerSecond,
    secondsPerEpoch: rows.length / sentencesPerSecond,
  };
}

const results = {};
for (const preset of ['textbook', 'default']) {
  const ours = await trainer(preset);
  const stock = await baseline(preset);
  results[preset] = {
    model: modelPresets[preset].model,
    sequenceLength: pipelinePresets[preset].sequence.length,
    batchSize: 32,
    trainer: ours,
    stockTfjsFullLength: stock,
    speedupOverStock: ours.trainSentencesPerSecond / stock.sentencesPerSecond,
    pytorchSentencesPerSecond: PYTORCH[preset],
    slowerThanPytorch: PYTORCH[preset] / ours.trainSentencesPerSecond,
  };
  process.stderr.write(`${preset}: ${JSON.stringify(results[preset])}\n`);
}

const output = {
  benchmark: 'trainer',
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model,
  cores: cpus().length,
  backend,
  epochs: EPOCHS,
  results,
};
const dir = new URL('../bench-results/', import.meta.url);
await mkdir(dir, { recursive: true });
const file = new URL(`trainer-${output.date.slice(0, 10)}.json`, dir);
await writeFile(file, `${JSON.stringify(output, null, 2)}\n`);
console.log(JSON.stringify(output, null, 2));
