import { pipelinePresets, TextPipeline } from '@lstmkit/preprocess';
import * as tf from '@tensorflow/tfjs';
import { Classifier, createModel, initBackend, modelPresets, saveBundle } from '@lstmkit/model';

await initBackend(); // lstmkit: backend wasm (simd, 1 thread; auto; ...)

const texts = ['a great film', 'loved it, great cast', 'a dull film', 'boring and dull'];
const labels = [1, 1, 0, 0];

const pipeline = TextPipeline.fit(texts, pipelinePresets.default);
const preset = modelPresets.default;
const modelConfig = {
  ...preset.model,
  vocabSize: pipeline.vocabulary.size,
  numClasses: 2,
  seed: 42,
};
const model = createModel(modelConfig);
model.compile({ optimizer: tf.train.adam(0.01), loss: 'binaryCrossentropy' });
const { data, shape } = pipeline.encodeBatch(texts);
const x = tf.tensor2d(data, shape, 'int32');
const y = tf.tensor2d(labels, [labels.length, 1]);
await model.fit(x, y, { epochs: 20, verbose: 0 });
tf.dispose([x, y]);

await saveBundle('my-model', { model, pipeline, labelNames: ['negative', 'positive'], modelConfig });

const classifier = await Classifier.load('my-model');
console.log(classifier.predict(['what a great cast', 'so dull']));
// [{ label: 'positive', labelIndex: 1, probability: 0.9…, probabilities: [0.0…, 0.9…] }, …]
classifier.dispose();
