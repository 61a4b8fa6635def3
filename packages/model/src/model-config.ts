import { LstmkitError } from '@lstmkit/preprocess';

export type Arch = 'lstm' | 'bilstm';
export type Head = 'last' | 'pool';
export type MergeMode = 'concat' | 'sum' | 'mul' | 'ave';

export interface ModelConfig {
  vocabSize: number;
  /** 2 -> one sigmoid unit (P(class 1)); more -> softmax over the classes. */
  numClasses: number;
  embeddingDim: number;
  hiddenSize: number;
  layers: number;
  arch: Arch;
  mergeMode: MergeMode;
  /** Between LSTM layers and before the head. */
  dropout: number;
  recurrentDropout: number;
  head: Head;
  seed: number;
  recurrentInitializer: 'orthogonal' | 'glorotUniform';
  /**
   * How LSTM layers run. 'fused' (default): each LSTM layer, or each direction of a BiLSTM
   * layer, runs forward and BPTT as one WebAssembly op; training with recurrent dropout falls
   * back to the stock layers (their inference stays fused). 'tfjs': stock layers. Same results either way (tested), and saved models are stock
   * tfjs either way.
   */
  kernel?: LstmKernel;
}

export type LstmKernel = 'fused' | 'tfjs';

/** The recipes by name; `@lstmkit/preprocess`'s `pipelinePresets` has the same names. */
export const presetNames = ['textbook', 'default'] as const;
export type PresetName = (typeof presetNames)[number];

/** The model part of a recipe; its sequence length is the pipeline preset's. */
export interface ModelPreset {
  model: Omit<ModelConfig, 'vocabSize' | 'numClasses' | 'seed'>;
}

export const modelPresets: Record<PresetName, ModelPreset> = {
  /** The textbook recipe: embedding 50, two LSTM(100), dropout 0.8, last step. */
  textbook: {
    model: {
      embeddingDim: 50,
      hiddenSize: 100,
      layers: 2,
      arch: 'lstm',
      mergeMode: 'concat',
      dropout: 0.8,
      recurrentDropout: 0,
      head: 'last',
      recurrentInitializer: 'orthogonal',
    },
  },
  /** One BiLSTM read both ways with masked average+max pooling: sees the whole sentence. */
  default: {
    model: {
      embeddingDim: 64,
      hiddenSize: 64,
      layers: 1,
      arch: 'bilstm',
      mergeMode: 'concat',
      dropout: 0.5,
      recurrentDropout: 0,
      head: 'pool',
      recurrentInitializer: 'orthogonal',
    },
  },
};

/** Bounds of the model's sizes, checked by validateModelConfig (and the CLI's flags). */
export const modelLimits = {
  embeddingDim: { min: 1, max: 4096 },
  hiddenSize: { min: 1, max: 4096 },
  layers: { min: 1, max: 16 },
} as const;

const ARCHS: readonly string[] = ['lstm', 'bilstm'];
const HEADS: readonly string[] = ['last', 'pool'];
const MERGE_MODES: readonly string[] = ['concat', 'sum', 'mul', 'ave'];
const INITIALIZERS: readonly string[] = ['orthogonal', 'glorotUniform'];
const KERNELS: readonly string[] = ['fused', 'tfjs'];

/** Checks every field once, at the edge; the error names the field and the limit. */
export function validateModelConfig(config: ModelConfig): ModelConfig {
  const fail = (field: keyof ModelConfig, expected: string): never => {
    throw new LstmkitError(
      'INVALID_MODEL_CONFIG',
      `Model config field '${field}' must be ${expected}, got ${JSON.stringify(config[field])}.`,
    );
  };
  const int = (field: keyof ModelConfig, min: number, max = Number.MAX_SAFE_INTEGER) => {
    const value = config[field];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      fail(
        field,
        max === Number.MAX_SAFE_INTEGER
          ? `an integer >= ${min}`
          : `an integer from ${min} to ${max}`,
      );
    }
  };
  const sized = (field: keyof typeof modelLimits) =>
    int(field, modelLimits[field].min, modelLimits[field].max);
  const rate = (field: 'dropout' | 'recurrentDropout') => {
    const value = config[field];
    if (typeof value !== 'number' || !(value >= 0 && value < 1)) fail(field, 'in [0, 1)');
  };
  const oneOf = (field: keyof ModelConfig, values: readonly string[]) => {
    if (!values.includes(config[field] as string)) fail(field, `one of ${values.join(', ')}`);
  };
  if (typeof config !== 'object' || config === null) {
    throw new LstmkitError('INVALID_MODEL_CONFIG', 'Model config must be an object.');
  }
  int('vocabSize', 2);
  int('numClasses', 2);
  sized('embeddingDim');
  sized('hiddenSize');
  sized('layers');
  int('seed', 0);
  rate('dropout');
  rate('recurrentDropout');
  oneOf('arch', ARCHS);
  oneOf('head', HEADS);
  oneOf('mergeMode', MERGE_MODES);
  oneOf('recurrentInitializer', INITIALIZERS);
  if (config.kernel !== undefined) oneOf('kernel', KERNELS);
  return config;
}
