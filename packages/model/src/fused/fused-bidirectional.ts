import * as tf from '@tensorflow/tfjs';
import { FusedLSTM } from './fused-lstm-layer';

type StockBidirectional = ReturnType<typeof tf.layers.bidirectional>;
type BidirectionalArgs = Parameters<typeof tf.layers.bidirectional>[0];

interface BidirectionalInternals {
  forwardLayer: tf.layers.Layer;
  backwardLayer: tf.layers.Layer;
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
}
