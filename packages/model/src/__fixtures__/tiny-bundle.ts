import { type PipelineConfig, pipelinePresets, TextPipeline } from '@lstmkit/preprocess';
import * as tf from '@tensorflow/tfjs';
import type { BundleContents } from '../bundle';
import { createModel } from '../create-model';
import type { Arch, Head, ModelConfig } from '../model-config';

/** A deterministic toy task: sentences with 'good'-words are positive. */
export const sentences = [
  'a good film with a great cast',
  'good acting and a lovely story',
  'great fun, really good',
  'lovely and great',
  'a bad film with a poor cast',
  'bad acting and a dull story',
  'poor plot, really bad',
  'dull and poor',
];
export const labels = [1, 1, 1, 1, 0, 0, 0, 0];

export interface TinyOptions {
  arch?: Arch;
  head?: Head;
  numClasses?: number;
  padding?: 'pre' | 'post';
}

/** A tiny model trained for a few epochs (seeded), with its pipeline: real, small, fast. */
export async function trainTiny(options: TinyOptions = {}): Promise<BundleContents> {
  const numClasses = options.numClasses ?? 2;
  const config: PipelineConfig = {
    ...pipelinePresets.textbook,
    sequence: { length: 12, padding: options.padding ?? 'pre', truncating: 'post' },
  };
  const pipeline = TextPipeline.fit(sentences, config);
  const modelConfig: ModelConfig = {
    vocabSize: pipeline.vocabulary.size,
    numClasses,
    embeddingDim: 8,
    hiddenSize: 6,
    layers: 1,
    arch: options.arch ?? 'lstm',
    mergeMode: 'concat',
    dropout: 0,
    recurrentDropout: 0,
    head: options.head ?? 'last',
    seed: 3,
    recurrentInitializer: 'glorotUniform',
  };
  const model = createModel(modelConfig);
  const { data, shape } = pipeline.encodeBatch(sentences);
  const x = tf.tensor2d(data, shape, 'int32');
  const y =
    numClasses === 2
      ? tf.tensor2d(labels, [labels.length, 1])
      : tf.oneHot(
          tf.tensor1d(
            labels.map((l, i) => (l + i) % numClasses),
            'int32',
          ),
          numClasses,
        );
  model.compile({
    optimizer: tf.train.adam(0.05),
    loss: numClasses === 2 ? 'binaryCrossentropy' : 'categoricalCrossentropy',
  });
  await model.fit(x, y, { epochs: 8, batchSize: 8, shuffle: false, verbose: 0 });
  tf.dispose([x, y]);
  const labelNames = Array.from(
    { length: numClasses },
    (_, i) => ['negative', 'positive', 'neutral', 'mixed'][i]!,
  );
  return {
    model,
    pipeline,
    labelNames,
    modelConfig,
    training: { epochs: 8 },
    metrics: { accuracy: 1 },
  };
}
