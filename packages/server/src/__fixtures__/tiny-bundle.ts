import { createModel, initBackend, type ModelConfig, saveBundle } from '@lstmkit/model';
import { createRng, pipelinePresets, TextPipeline } from '@lstmkit/preprocess';
import * as tf from '@tensorflow/tfjs';

const positive = ['good', 'great', 'love', 'excellent', 'fun', 'wonderful'];
const negative = ['bad', 'awful', 'hate', 'boring', 'terrible', 'dull'];
const filler = ['the', 'film', 'was', 'a', 'story', 'really', 'plot', 'acting', 'it', 'this'];

/** Generated sentences whose label is the sentiment word they contain. */
function sentences(count: number, seed: number): { text: string; label: number }[] {
  const rng = createRng(seed);
  const pick = (words: string[]) => words[Math.floor(rng() * words.length)]!;
  return Array.from({ length: count }, () => {
    const label = rng() < 0.5 ? 0 : 1;
    const words = Array.from({ length: 2 + Math.floor(rng() * 5) }, () => pick(filler));
    words.splice(Math.floor(rng() * words.length), 0, pick(label === 1 ? positive : negative));
    return { text: words.join(' '), label };
  });
}

/**
 * Trains a tiny LSTM for a few steps and saves it as a bundle: seconds, deterministic. Another
 * seed gives another model (other weights, same labels), e.g. a second version.
 */
export async function buildTinyBundle(dir: string, seed = 1): Promise<void> {
  await initBackend({ log: () => {} });
  const examples = sentences(256, 6 + seed);
  const pipeline = TextPipeline.fit(
    examples.map((e) => e.text),
    { ...pipelinePresets.textbook, sequence: { length: 12, padding: 'pre', truncating: 'post' } },
  );
  const modelConfig: ModelConfig = {
    vocabSize: pipeline.vocabulary.size,
    numClasses: 2,
    embeddingDim: 8,
    hiddenSize: 8,
    layers: 1,
    arch: 'lstm',
    mergeMode: 'concat',
    dropout: 0,
    recurrentDropout: 0,
    head: 'last',
    seed,
    recurrentInitializer: 'glorotUniform',
  };
  const model = createModel(modelConfig);
  model.compile({
    optimizer: tf.train.adam(0.05),
    loss: 'binaryCrossentropy',
    metrics: ['accuracy'],
  });
  const batch = pipeline.encodeBatch(examples.map((e) => e.text));
  const x = tf.tensor2d(batch.data, batch.shape, 'int32');
  const y = tf.tensor2d(
    examples.map((e) => e.label),
    [examples.length, 1],
  );
  const history = await model.fit(x, y, { epochs: 4, batchSize: 32, shuffle: false, verbose: 0 });
  tf.dispose([x, y]);
  const accuracy = history.history.acc?.at(-1) ?? history.history.accuracy?.at(-1);
  await saveBundle(dir, {
    model,
    pipeline,
    labelNames: ['negative', 'positive'],
    modelConfig,
    metrics: { trainAccuracy: accuracy },
  });
  model.dispose();
}
