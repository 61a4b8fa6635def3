import * as tf from '@tensorflow/tfjs';
import { FusedLSTM, type Kwargs } from './fused-lstm-layer';

type StockBidirectional = ReturnType<typeof tf.layers.bidirectional>;
type BidirectionalArgs = Parameters<typeof tf.layers.bidirectional>[0];

interface BidirectionalInternals {
  forwardLayer: FusedLSTM;
  backwardLayer: FusedLSTM;
  returnSequences: boolean;
  returnState: boolean;
  mergeMode: 'concat' | 'sum' | 'ave' | 'mul' | null;
}

// Reached through the registry, as the stock LSTM is (tfjs-layers is not our dependency).
const StockBidirectional = tf.serialization.SerializationMap.getMap().classNameMap
  .Bidirectional![0] as unknown as new (
  args: BidirectionalArgs,
) => StockBidirectional;

/**
 * A stock tfjs Bidirectional(LSTM) whose two directions are FusedLSTM layers. The stock wrapper
 * rebuilds its inner layers from their config (as stock LSTMs); this one swaps in fused copies
 * of the same config (the backward one has goBackwards), so it computes and serializes
 * exactly as the stock wrapper, which saved models load as.
 */
export class FusedBidirectional extends StockBidirectional {
  constructor(args: BidirectionalArgs) {
    super(args);
    const self = this as unknown as BidirectionalInternals;
    // Their configs carry the 'forward_' / 'backward_' names the stock wrapper gave them.
    self.forwardLayer = new FusedLSTM(self.forwardLayer.getConfig() as never);
    self.backwardLayer = new FusedLSTM(self.backwardLayer.getConfig() as never);
  }

  /**
   * The stock call, except that the backward layer's per-step outputs come in input order from
   * the kernel: the stock wrapper reverses them, an op forward and another in the gradient.
   */
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const self = this as unknown as BidirectionalInternals;
    const { mergeMode } = self;
    if (!self.returnSequences || self.returnState || mergeMode === null || kwargs?.initialState) {
      return super.call(inputs, kwargs);
    }
    return tf.tidy(() => {
      const y = self.forwardLayer.call(inputs, kwargs) as tf.Tensor;
      const yRev = self.backwardLayer.callInInputOrder(inputs, kwargs);
      if (mergeMode === 'concat') return tf.concat([y, yRev], -1);
      if (mergeMode === 'sum') return tf.add(y, yRev);
      if (mergeMode === 'ave') return tf.mul(0.5, tf.add(y, yRev));
      return tf.mul(y, yRev);
    });
  }
}
