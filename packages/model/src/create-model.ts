import { createRng } from '@lstmkit/preprocess';
import * as tf from '@tensorflow/tfjs';
import { FusedBidirectional } from './fused/fused-bidirectional';
import { FusedLSTM } from './fused/fused-lstm-layer';
import { MaskedAvgMaxPooling } from './masked-pooling';
import { type ModelConfig, validateModelConfig } from './model-config';

/** Weights of one LSTM direction: 4 gates, each with input, recurrent and bias weights. */
export function lstmParameterCount(inputSize: number, hiddenSize: number): number {
  return 4 * (hiddenSize * (hiddenSize + inputSize) + hiddenSize);
}

/** countParams() of createModel(config), from the formulas: checks a loaded model's topology. */
export function expectedParameterCount(config: ModelConfig): number {
  const directions = config.arch === 'bilstm' ? 2 : 1;
  const h = config.hiddenSize;
  const merged = directions === 2 && config.mergeMode === 'concat' ? 2 * h : h;
  let total = config.vocabSize * config.embeddingDim;
  for (let i = 0; i < config.layers; i++) {
    total += directions * lstmParameterCount(i === 0 ? config.embeddingDim : merged, h);
  }
  const features = config.head === 'pool' ? 2 * merged : merged;
  const units = config.numClasses === 2 ? 1 : config.numClasses;
  return total + features * units + units;
}

/**
 * embedding (mask_zero) -> N x LSTM/BiLSTM -> [masked avg+max pooling] -> dropout -> dense.
 * The time dimension is free and padding (id 0) is masked, so a prediction does not depend on
 * how much padding a batch carries; callers may trim all-padding columns.
 */
export function createModel(config: ModelConfig): tf.LayersModel {
  const c = validateModelConfig(config);
  const rng = createRng(c.seed);
  const nextSeed = () => Math.floor(rng() * 2 ** 31);
  const glorot = () => tf.initializers.glorotUniform({ seed: nextSeed() });
  const orthogonal = () => {
    const init = tf.initializers.orthogonal({ gain: 1, seed: nextSeed() });
    // tfjs console.warns above 2000 elements; a library must not print.
    (init as unknown as { ELEMENTS_WARN_SLOW: number }).ELEMENTS_WARN_SLOW = Infinity;
    return init;
  };

  let model: tf.LayersModel | undefined;
  const recurrent: tf.layers.Layer[] = [];
  // Layers build their weights here, and tfjs's unitForgetBias initializer leaks its
  // intermediate tensors; the weights are variables, which tidy keeps.
  tf.tidy(() => {
    const input = tf.input({ shape: [null], dtype: 'int32', name: 'token_ids' });
    let x = tf.layers
      .embedding({
        name: 'embedding',
        inputDim: c.vocabSize,
        outputDim: c.embeddingDim,
        maskZero: true,
        embeddingsInitializer: tf.initializers.randomUniform({
          minval: -0.05,
          maxval: 0.05,
          seed: nextSeed(),
        }),
      })
      .apply(input) as tf.SymbolicTensor;

    const fused = (c.kernel ?? 'fused') === 'fused';
    for (let i = 0; i < c.layers; i++) {
      const args: Parameters<typeof tf.layers.lstm>[0] = {
        name: `lstm_${i + 1}`,
        units: c.hiddenSize,
        // tfjs defaults to hard_sigmoid (old Keras); the standard LSTM gates (and PyTorch) use sigmoid.
        recurrentActivation: 'sigmoid',
        returnSequences: i < c.layers - 1 || c.head === 'pool',
        recurrentDropout: c.recurrentDropout,
        unitForgetBias: true,
        // Cheap initializers in the saved topology: tfjs runs them again when it loads a model
        // (before overwriting the weights), and orthogonal takes tens of seconds on cpu.
        kernelInitializer: glorot(),
        recurrentInitializer: glorot(),
      };
      const lstm = fused ? new FusedLSTM(args) : tf.layers.lstm(args);
      if (c.arch === 'bilstm') {
        const biArgs = { name: `bilstm_${i + 1}`, layer: lstm, mergeMode: c.mergeMode };
        const layer = fused ? new FusedBidirectional(biArgs) : tf.layers.bidirectional(biArgs);
        recurrent.push(layer);
        x = layer.apply(x) as tf.SymbolicTensor;
      } else {
        recurrent.push(lstm);
        x = lstm.apply(x) as tf.SymbolicTensor;
      }
      // Dropout passes the padding mask on to the next LSTM (verified by the padding tests).
      if (i < c.layers - 1 && c.dropout > 0) {
        x = tf.layers
          .dropout({ name: `dropout_${i + 1}`, rate: c.dropout })
          .apply(x) as tf.SymbolicTensor;
      }
    }
    if (c.head === 'pool')
      x = new MaskedAvgMaxPooling({ name: 'pool' }).apply(x) as tf.SymbolicTensor;
    if (c.dropout > 0) {
      x = tf.layers
        .dropout({ name: 'dropout_head', rate: c.dropout })
        .apply(x) as tf.SymbolicTensor;
    }
    const binary = c.numClasses === 2;
    const output = tf.layers
      .dense({
        name: 'output',
        units: binary ? 1 : c.numClasses,
        activation: binary ? 'sigmoid' : 'softmax',
        kernelInitializer: tf.initializers.glorotUniform({ seed: nextSeed() }),
      })
      .apply(x) as tf.SymbolicTensor;
    model = tf.model({ name: 'lstmkit_classifier', inputs: input, outputs: output });
  });

  // Weights come in [kernel, recurrent kernel, bias] per direction. tfjs builds the backward
  // LSTM from the forward one's config, seeds included, so it gets fresh kernels here; the
  // recurrent kernels get the configured initializer.
  const fresh: tf.Tensor[] = [];
  const init = (make: () => { apply(shape: number[]): tf.Tensor }, shape: number[]) => {
    const value = make().apply(shape);
    fresh.push(value);
    return value;
  };
  for (const layer of recurrent) {
    const weights = layer.getWeights(); // the live variables: not ours to dispose
    const before = fresh.length;
    const replaced = weights.map((weight, i) => {
      const backward = i >= 3;
      if (i % 3 === 0 && backward) return init(glorot, weight.shape);
      if (i % 3 === 1 && (backward || c.recurrentInitializer === 'orthogonal')) {
        return init(c.recurrentInitializer === 'orthogonal' ? orthogonal : glorot, weight.shape);
      }
      return weight;
    });
    if (fresh.length > before) layer.setWeights(replaced);
  }
  tf.dispose(fresh);
  return model!;
}
