// lstmkit's side of `pnpm bench:compare` (bench/compare.mjs at the root runs it as a child, one
// model per process, alternating with the Python references). Trains with the trainer on UCI,
// then measures the saved bundle the way the PyTorch reference measures its model: median
// single-sentence predict latency (raw text in, 200 test sentences after 20 warm-up calls) and
// batch-256 throughput from raw text (20 batches of 256 consecutive sentences). Prints one JSON
// line. With --dump-encoded FILE it also writes the trainer's split, encoded by the preset's
// pipeline, for the PyTorch counterpart of the default preset (bench/reference/).
//
//   node bench/compare-run.mjs --preset textbook [--arch bilstm] [--epochs 2] [--dump-encoded F]
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Classifier, initBackend } from '@lstmkit/model';
import { pipelinePresets, splitDataset, TextPipeline } from '@lstmkit/preprocess';
import { loadDataset } from '@lstmkit/preprocess/node';
import { train } from '@lstmkit/trainer';

const { values: args } = parseArgs({
  options: {
    preset: { type: 'string', default: 'textbook' },
    arch: { type: 'string' },
    epochs: { type: 'string', default: '2' },
    'dump-encoded': { type: 'string' },
  },
});
const SEED = 1;
const backend = await initBackend({ log: () => {} });
const dataset = await loadDataset('uci-sentiment');
const texts = dataset.examples.map((e) => e.text);
// The trainer's own split (train.ts: splitDataset with the run's seed).
const splits = splitDataset(dataset.examples, { seed: SEED });

if (args['dump-encoded']) {
  // ... and its pipeline, fitted on the training split.
  const pipeline = TextPipeline.fit(
    splits.train.map((e) => e.text),
    pipelinePresets[args.preset],
  );
  const real = (text) => Array.from(pipeline.encode(text)).filter((id) => id !== 0);
  const split = (rows) => ({
    ids: rows.map((e) => real(e.text)),
    labels: rows.map((e) => e.label),
  });
  await writeFile(
    args['dump-encoded'],
    JSON.stringify({
      vocabSize: pipeline.vocabulary.size,
      sequenceLength: pipelinePresets[args.preset].sequence.length,
      train: split(splits.train),
      validation: split(splits.validation),
      test: split(splits.test),
      all: texts.map(real),
    }),
  );
}

const outDir = join(tmpdir(), `lstmkit-compare-${process.pid}`);
try {
  const result = await train({
    dataset,
    preset: args.preset,
    model: args.arch ? { arch: args.arch } : {},
    epochs: Number(args.epochs),
    patience: 0,
    seed: SEED,
    outDir,
  });
  const report = JSON.parse(await readFile(result.reportPath, 'utf8'));
  const classifier = await Classifier.load(result.bundleDir);
  const testTexts = splits.test.map((e) => e.text);
  for (const text of testTexts.slice(0, 20)) classifier.predict([text], { batchSize: 1 });
  const latencies = [];
  for (let k = 0; k < 200; k++) {
    const started = performance.now();
    classifier.predict([testTexts[k % testTexts.length]], { batchSize: 1 });
    latencies.push(performance.now() - started);
  }
  latencies.sort((a, b) => a - b);
  const B = 256;
  const batches = 20;
  classifier.predict(texts.slice(0, B), { batchSize: B });
  const started = performance.now();
  for (let b = 0; b < batches; b++) {
    const s = (b * B) % (texts.length - B);
    classifier.predict(texts.slice(s, s + B), { batchSize: B });
  }
  const batch256 = (batches * B * 1000) / (performance.now() - started);
  classifier.dispose();
  console.log(
    JSON.stringify({
      system: 'lstmkit',
      backend: backend.name,
      kernel: backend.kernel,
      kernelThreads: backend.kernelThreads,
      preset: args.preset,
      arch: args.arch ?? null,
      epochs: Number(args.epochs),
      trainSentencesPerSecond: report.timings.trainSentencesPerSecond,
      predictLatencyMs: latencies[latencies.length >> 1],
      batch256SentencesPerSecond: batch256,
      testAccuracy: result.test.accuracy,
    }),
  );
} finally {
  await rm(outDir, { recursive: true, force: true });
  await rm(`${outDir}.report`, { recursive: true, force: true });
}
