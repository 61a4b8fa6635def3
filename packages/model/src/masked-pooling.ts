import * as tf from '@tensorflow/tfjs';

type LayerArgs = ConstructorParameters<typeof tf.layers.Layer>[0];

/**
 * Concatenated average and max pooling over time that ignore padded steps: the 'pool' head.
 * Stock tfjs pooling layers do not take a mask, so padding would shift both statistics.
 *
 * Registered with tf.serialization under `lstmkit>MaskedAvgMaxPooling` when this module loads;
 * a program that loads a 'pool' bundle with stock tfjs (e.g. in a browser) must import
 * @lstmkit/model or register an equivalent class under that name first.
 */
export class MaskedAvgMaxPooling extends tf.layers.Layer {
  static readonly className = 'MaskedAvgMaxPooling';

  constructor(args: LayerArgs = {}) {
    super(args);
    this.supportsMasking = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const features = shape[2];
    return [shape[0] ?? null, features == null ? null : 2 * features];
  }

  /** The pooled output has no time axis, so no mask (tfjs types omit the null it accepts). */
  override computeMask(): tf.Tensor {
    return null as unknown as tf.Tensor;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { mask?: tf.Tensor }): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      if (kwargs.mask == null) return tf.concat([tf.mean(x, 1), tf.max(x, 1)], -1);
      const mask = tf.expandDims(tf.cast(kwargs.mask, 'float32'), -1); // [batch, time, 1]
      const count = tf.sum(mask, 1); // [batch, 1]
      const average = tf.div(tf.sum(tf.mul(x, mask), 1), tf.maximum(count, 1));
      // Masked steps drop far below any LSTM output (|h| <= 1); real steps get exactly +0.
      const shifted = tf.add(x, tf.mul(tf.sub(mask, 1), 1e9));
      // A row with no tokens at all pools to zeros instead of -1e9.
      const maximum = tf.mul(tf.max(shifted, 1), tf.minimum(count, 1));
      return tf.concat([average, maximum], -1);
    });
  }
}

tf.serialization.registerClass(MaskedAvgMaxPooling, 'lstmkit');
