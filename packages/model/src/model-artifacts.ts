import * as tf from '@tensorflow/tfjs';
import { createModel } from './create-model';
import type { ModelConfig } from './model-config';

/** The weights file named in model.json, so stock `tf.loadLayersModel(url)` finds it. */
export const WEIGHTS_FILE = 'weights.bin';

export interface SerializedModel {
  modelJson: tf.io.ModelJSON;
  weights: Uint8Array;
}

/**
 * A model as stock tfjs `model.json` + one weights file, through an in-memory save handler:
 * pure @tensorflow/tfjs has no file:// handler in Node.
 */
export async function serializeModel(
  model: tf.LayersModel,
  metadata: Record<string, unknown>,
): Promise<SerializedModel> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  const artifacts = captured!;
  const weights =
    artifacts.weightData === undefined
      ? new Uint8Array(0)
      : new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData));
  const modelJson: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology as object,
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version['tfjs-layers']}`,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
    userDefinedMetadata: metadata as tf.io.ModelJSON['userDefinedMetadata'],
  };
  return { modelJson, weights };
}

/**
 * The model createModel(config) builds (its LSTM kernel choice: fused by default) holding the
 * weights of model.json's manifest, matched by name with tfjs's strict check (every weight
 * present, shapes equal). model.json's topology is that model's as stock tfjs layers; it is not
 * parsed here, so a loaded model runs the configured layers instead of the stock ones.
 */
export function deserializeModel(
  modelJson: tf.io.ModelJSON,
  weights: Uint8Array,
  config: ModelConfig,
): tf.LayersModel {
  const specs = modelJson.weightsManifest.flatMap((group) => group.weights);
  // Copy into a fresh ArrayBuffer: a Node Buffer may be a view into a shared pool.
  const named = tf.io.decodeWeights(weights.slice().buffer, specs);
  // Every weight is overwritten: skip the orthogonal initializer (slow on cpu). The topology
  // createModel records has glorot initializers either way.
  const model = createModel({ ...config, recurrentInitializer: 'glorotUniform' });
  try {
    model.loadWeights(named);
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    tf.dispose(named);
  }
  return model;
}
