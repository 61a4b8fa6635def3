import * as tf from '@tensorflow/tfjs';

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

/** Builds the model from parsed model.json and the bytes of its weights file. */
export function deserializeModel(
  modelJson: tf.io.ModelJSON,
  weights: Uint8Array,
): Promise<tf.LayersModel> {
  const specs = modelJson.weightsManifest.flatMap((group) => group.weights);
  // Copy into a fresh ArrayBuffer: a Node Buffer may be a view into a shared pool.
  const data = weights.slice().buffer;
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs: specs,
      weightData: data,
      ...(modelJson.userDefinedMetadata && { userDefinedMetadata: modelJson.userDefinedMetadata }),
    }),
  );
}
