export { batchesByLength, gatherRows, rowLengths } from './batch-rows';
export { cleanText } from './clean';
export {
  type CleanConfig,
  MAX_SEQUENCE_LENGTH,
  type PipelineConfig,
  resolvePipelineConfig,
  type SequenceConfig,
  type TokenizerConfig,
} from './config';
export type { Dataset, Example } from './dataset';
export {
  type DatasetRecord,
  type DatasetSource,
  datasetSource,
  type ReadOptions,
  type ReadProgress,
  type SkippedRecord,
} from './dataset-source';
export {
  datasetFormatOf,
  type ParseDatasetOptions,
  parseDataset,
  type TextDatasetFormat,
} from './dataset-text';
export {
  type ErrorCode,
  type ErrorCodeInfo,
  ErrorCodes,
  errorCatalog,
  errorCodeInfo,
} from './error-codes';
export { isLstmkitError, LstmkitError } from './errors';
export { hashSplit, type SplitName, splitOfRecord } from './hash-split';
export {
  type LengthBin,
  LengthCounter,
  type LengthStats,
  lengthHistogram,
  lengthStats,
} from './length-stats';
export { sortLabelNames } from './node/label-index';
export {
  DEFAULT_MAX_DISTINCT_TOKENS,
  type FitLimits,
  PipelineFitter,
  type PipelineJSON,
  TextPipeline,
} from './pipeline';
export { pipelinePresets } from './presets';
export { createRng, shuffleInPlace } from './random';
export { type EncodedBatch, padSequence } from './sequence';
export { type DatasetSplits, type SplitOptions, splitDataset, splitDefaults } from './split';
export type { PruneStats } from './token-counter';
export { tokenize } from './tokenize';
export { Vocabulary, type VocabularyJSON, type VocabularyOptions } from './vocabulary';
