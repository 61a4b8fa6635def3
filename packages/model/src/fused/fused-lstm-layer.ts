import * as tf from '@tensorflow/tfjs';
import { fusedLstm } from './fused-lstm';

type StockLstm = ReturnType<typeof tf.layers.lstm>;
type LstmArgs = Parameters<typeof tf.layers.lstm>[0];
export type Kwargs = { mask?: tf.Tensor; training?: boolean; initialState?: tf.Tensor[] };

interface LstmInternals {
  cell: {
    kernel: tf.LayerVariable;
    recurrentKernel: tf.LayerVariable;
    bias: tf.LayerVariable | null;
    useBias: boolean;
    dropout: number;
    recurrentDropout: number;
    activation: { getClassName(): string };
    recurrentActivation: { getClassName(): string };
  };
  returnSequences: boolean;
  returnState: boolean;
  goBackwards: boolean;
  stateful: boolean;
}

// tfjs-layers is not our dependency; its registered LSTM class is reachable through tfjs.
const StockLSTM = tf.serialization.SerializationMap.getMap().classNameMap
  .LSTM![0] as unknown as new (
  args: LstmArgs,
) => StockLstm;

/**
 * A stock tfjs LSTM whose call runs the recurrence as one fused WebAssembly op (forward and
 * BPTT) when it can; otherwise (recurrent or input dropout while training, other activations,
 * stateful, initial state, returnState) the stock implementation. It serializes as a stock
 * `LSTM` (same class name and config), so saved models load anywhere.
 */
export class FusedLSTM extends StockLSTM {
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    return this.run(inputs, kwargs, false);
  }

  /**
   * As `call`, but a goBackwards layer returns its per-step outputs in input time order (what
   * Bidirectional reverses them to), so no reverse op runs when the kernel fuses.
   */
  callInInputOrder(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return this.run(inputs, kwargs, true) as tf.Tensor;
  }

  private run(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs, inputOrder: boolean) {
    const self = this as unknown as LstmInternals;
    const { cell } = self;
    const fusable =
      cell.useBias &&
      // Dropout acts only when training: inference fuses models trained with it too.
      ((cell.dropout === 0 && cell.recurrentDropout === 0) || !kwargs?.training) &&
      cell.activation.getClassName() === 'tanh' &&
      cell.recurrentActivation.getClassName() === 'sigmoid' &&
      !self.returnState &&
      !self.stateful &&
      kwargs?.initialState == null;
    if (!fusable) {
      const y = super.call(inputs, kwargs);
      const reverse = inputOrder && self.goBackwards && self.returnSequences;
      return reverse ? tf.reverse(y as tf.Tensor, 1) : y;
    }
    const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor3D;
    return fusedLstm(
      x,
      cell.kernel.read() as tf.Tensor2D,
      cell.recurrentKernel.read() as tf.Tensor2D,
      cell.bias!.read() as tf.Tensor1D,
      {
        mask: kwargs?.mask == null ? null : kwargs.mask.dataSync(),
        sequences: self.returnSequences,
        backwards: self.goBackwards,
        inputOrder,
      },
    );
  }
}
