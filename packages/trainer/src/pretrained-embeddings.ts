import { TextPipeline as Pipeline, type TextPipeline } from '@lstmkit/preprocess';
import type * as tf from '@tensorflow/tfjs';
import {
  buildEmbeddingMatrix,
  type EmbeddingMatrix,
  keepCoveredWords,
} from './embedding-matrix.js';
import type { RunStore } from './run-store.js';
import type { WordVectorFormat } from './word-vectors.js';

export interface PretrainedEmbeddings {
  pipeline: TextPipeline;
  matrix: EmbeddingMatrix;
  format: WordVectorFormat;
}

/**
 * Read the vectors of the fitted pipeline's vocabulary from `path` (streaming: only those rows
 * are kept), optionally drop the rare words the file lacks, and build the initial embedding.
 */
export async function loadPretrainedEmbeddings(
  readWordVectors: RunStore['readWordVectors'],
  path: string,
  pipeline: TextPipeline,
  keepMissing: number,
  seed: number,
): Promise<PretrainedEmbeddings> {
  const { tokens } = pipeline.vocabulary.toJSON();
  const read = await readWordVectors(path, new Set(tokens.slice(2)));
  const fitted =
    keepMissing > 0
      ? new Pipeline(
          pipeline.config,
          keepCoveredWords(pipeline.vocabulary, read.vectors, keepMissing),
        )
      : pipeline;
  const matrix = buildEmbeddingMatrix(fitted.vocabulary, read.vectors, read.dimensions, seed);
  return { pipeline: fitted, matrix, format: read.format };
}

/** The one embedding layer createModel builds. */
export function embeddingLayer(model: tf.LayersModel): tf.layers.Layer {
  return model.getLayer('embedding');
}

/**
 * Frozen layers drop out of `model.trainableWeights`, so the step neither computes their
 * gradient nor updates them.
 */
export function setEmbeddingFrozen(model: tf.LayersModel, frozen: boolean): void {
  embeddingLayer(model).trainable = !frozen;
}
