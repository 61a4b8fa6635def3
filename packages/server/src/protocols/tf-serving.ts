import { LstmkitError } from '@lstmkit/model';
import type { FastifyInstance } from 'fastify';
import type { ProtocolContext } from '../inference.js';
import type { VersionStatus } from '../model-repository.js';
import { checkTexts, invalidInput, isPlainObject } from './texts.js';

/**
 * TensorFlow Serving's REST API (tensorflow_serving/g3doc/api_rest.md): `:predict` answers the
 * model's one output tensor, the class probabilities; `:classify` answers label/score pairs.
 */

export const TF_INPUT = 'text';
const SIGNATURE = 'serving_default';

// `/v1/models/{name}[/versions/{v}]` followed by `:verb` (POST) or nothing or `/metadata` (GET).
const POST_PATH = /^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\/versions\/([^/:]+))?:([a-z]+)$/;
const GET_PATH = /^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\/versions\/([^/:]+))?(\/metadata)?$/;

function notFound(path: string): LstmkitError {
  return new LstmkitError('NOT_FOUND', `no TensorFlow Serving route for /v1/models/${path}`);
}

function checkSignature(body: Record<string, unknown>): void {
  const signature = body.signature_name;
  if (signature !== undefined && signature !== SIGNATURE) {
    throw invalidInput(
      `serving signature name ${JSON.stringify(signature)} not found; the only signature is "${SIGNATURE}"`,
    );
  }
}

/** One text per instance: a string, or an object with the named input `text`. */
function rowTexts(instances: unknown[]): unknown[] {
  return instances.map((instance, i) => {
    if (!isPlainObject(instance)) return instance;
    const keys = Object.keys(instance);
    if (keys.length !== 1 || keys[0] !== TF_INPUT) {
      throw invalidInput(`instances[${i}] must be a text or {"${TF_INPUT}": text}`);
    }
    return instance[TF_INPUT];
  });
}

/** Columnar: a text, a list of texts, or {"text": text | [texts]}. */
function columnTexts(inputs: unknown): unknown[] {
  let value = inputs;
  if (isPlainObject(inputs)) {
    const keys = Object.keys(inputs);
    if (keys.length !== 1 || keys[0] !== TF_INPUT) {
      throw invalidInput(`inputs must be a text, a list of texts or {"${TF_INPUT}": [...]}`);
    }
    value = inputs[TF_INPUT];
  }
  return Array.isArray(value) ? value : [value];
}

const STATE: Record<VersionStatus['state'], string> = {
  LOADING: 'LOADING',
  AVAILABLE: 'AVAILABLE',
  // A version that failed to load ends; its status carries the reason.
  FAILED: 'END',
};

function versionStatus(status: VersionStatus) {
  return {
    version: String(status.version),
    state: STATE[status.state],
    status:
      status.error === undefined
        ? { error_code: 'OK', error_message: '' }
        : { error_code: 'UNKNOWN', error_message: status.error },
  };
}

export function registerTfServing(app: FastifyInstance, context: ProtocolContext): void {
  const { repository, limits } = context;

  app.get<{ Params: { '*': string } }>('/v1/models/*', async (request) => {
    const path = request.params['*'];
    const match = GET_PATH.exec(path);
    if (match === null) throw notFound(path);
    const [, name, version, metadata] = match as unknown as [string, string, string?, string?];
    if (metadata === undefined) {
      const statuses = repository.status(name);
      const chosen =
        version === undefined ? statuses : statuses.filter((s) => String(s.version) === version);
      if (chosen.length === 0) repository.resolve(name, version); // throws the not-found error
      return { model_version_status: chosen.map(versionStatus) };
    }
    const model = repository.resolve(name, version);
    const tensor = (dims: number[], dtype: string, tensorName: string) => ({
      dtype,
      tensor_shape: {
        dim: dims.map((size) => ({ size: String(size), name: '' })),
        unknown_rank: false,
      },
      name: tensorName,
    });
    return {
      model_spec: { name, signature_name: '', version: String(model.version) },
      metadata: {
        signature_def: {
          signature_def: {
            [SIGNATURE]: {
              inputs: { [TF_INPUT]: tensor([-1], 'DT_STRING', TF_INPUT) },
              outputs: {
                probabilities: tensor([-1, model.labels.length], 'DT_FLOAT', 'probabilities'),
              },
              method_name: 'tensorflow/serving/predict',
            },
          },
        },
        labels: model.labels,
      },
    };
  });

  app.post<{ Params: { '*': string }; Body: unknown }>('/v1/models/*', async (request) => {
    const path = request.params['*'];
    const match = POST_PATH.exec(path);
    if (match === null) throw notFound(path);
    const [, name, version, verb] = match as unknown as [
      string,
      string,
      string | undefined,
      string,
    ];
    const body = request.body;
    if (!isPlainObject(body)) throw invalidInput('body must be a JSON object');
    checkSignature(body);
    if (verb === 'predict') {
      const row = body.instances !== undefined;
      if (row === (body.inputs !== undefined)) {
        throw invalidInput(
          'send either "instances" (row format) or "inputs" (columnar format), not both or neither',
        );
      }
      if (row && !Array.isArray(body.instances)) throw invalidInput('instances must be a list');
      const texts = row
        ? checkTexts(rowTexts(body.instances as unknown[]), limits, 'instances')
        : checkTexts(columnTexts(body.inputs), limits, 'inputs');
      const { predictions } = await context.classify(request, name, version, texts);
      const probabilities = predictions.map((p) => p.probabilities);
      return row ? { predictions: probabilities } : { outputs: probabilities };
    }
    if (verb === 'classify') {
      if (!Array.isArray(body.examples))
        throw invalidInput('examples must be a list of {"text": ...}');
      const context_ = isPlainObject(body.context) ? body.context : {};
      const values = body.examples.map((example: unknown, i) => {
        if (!isPlainObject(example)) throw invalidInput(`examples[${i}] must be an object`);
        const text = example[TF_INPUT] ?? context_[TF_INPUT];
        if (text === undefined) throw invalidInput(`examples[${i}] has no "${TF_INPUT}" feature`);
        return Array.isArray(text) && text.length === 1 ? text[0] : text;
      });
      const texts = checkTexts(values, limits, 'examples');
      const { model, predictions } = await context.classify(request, name, version, texts);
      return {
        result: predictions.map((p) =>
          p.probabilities.map((score, i) => [model.labels[i]!, score] as const),
        ),
      };
    }
    if (verb === 'regress') {
      throw invalidInput(`${name} is a classifier: use :classify or :predict, not :regress`);
    }
    throw notFound(path);
  });
}
