import * as tf from '@tensorflow/tfjs';
import { fusedLstm } from './fused-lstm';

type StockLstm = ReturnType<typeof tf.layers.lstm>;
type LstmArgs = Parameters<typeof tf.layers.lstm>[0];
type Kwargs = { mask?: tf.Tensor; training?: boolean; initialState?: tf.Tensor[] };

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
    if (!fusable) return super.call(inputs, kwargs);
    const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor3D;
    const mask = kwargs?.mask == null ? null : kwargs.mask.dataSync();
    return fusedLstm(
      x,
      cell.kernel.read() as tf.Tensor2D,
      cell.recurrentKernel.read() as tf.Tensor2D,
      cell.bias!.read() as tf.Tensor1D,
      mask,
      self.returnSequences,
      self.goBackwards,
    );
  }
}
