import * as tf from '@tensorflow/tfjs';
import { maskedAvgMaxPool } from './masked-avg-max-pool';

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
    const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor3D;
    return maskedAvgMaxPool(x, kwargs.mask == null ? null : kwargs.mask.dataSync());
  }
}

tf.serialization.registerClass(MaskedAvgMaxPooling, 'lstmkit');
