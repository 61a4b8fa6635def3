import type { FastifyInstance } from 'fastify';
import packageJson from '../../package.json' with { type: 'json' };
import type { ProtocolContext } from '../inference.js';
import type { ServedModel } from '../model-repository.js';
import { checkTexts, invalidInput, isPlainObject } from './texts.js';

/** The Open Inference Protocol (KServe v2) REST binding, for BYTES inputs of texts. */

export const KSERVE_INPUT = 'text';
// known_tokens: how many of each text's tokens the vocabulary knows (0: the answer is the prior).
export const KSERVE_OUTPUTS = ['probabilities', 'label', 'known_tokens'] as const;
export const KSERVE_PLATFORM = 'tensorflowjs_layers';

interface VersionParams {
  name: string;
  version?: string;
}

function modelMetadata(name: string, versions: ServedModel[], model: ServedModel) {
  return {
    name,
    versions: versions.map((v) => String(v.version)),
    platform: KSERVE_PLATFORM,
    inputs: [{ name: KSERVE_INPUT, datatype: 'BYTES', shape: [-1] }],
    outputs: [
      { name: 'probabilities', datatype: 'FP32', shape: [-1, model.labels.length] },
      { name: 'label', datatype: 'BYTES', shape: [-1] },
      { name: 'known_tokens', datatype: 'INT32', shape: [-1] },
    ],
    properties: { labels: model.labels.join(','), version: String(model.version) },
  };
}

const product = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** The texts of the one BYTES input tensor, checked against its shape and the limits. */
function inputTexts(body: unknown, context: ProtocolContext): string[] {
  if (!isPlainObject(body) || !Array.isArray(body.inputs)) {
    throw invalidInput('body must be an inference request with an "inputs" array');
  }
  if (body.inputs.length !== 1) {
    throw invalidInput(
      `send exactly one input tensor (BYTES texts, named "${KSERVE_INPUT}"), got ${body.inputs.length}`,
    );
  }
  const input: unknown = body.inputs[0];
  if (!isPlainObject(input)) throw invalidInput('inputs[0] must be an object');
  if (input.datatype !== 'BYTES') {
    throw invalidInput(
      `inputs[0].datatype must be "BYTES" (texts), got ${JSON.stringify(input.datatype)}`,
    );
  }
  const { shape, data } = input;
  if (
    !Array.isArray(shape) ||
    shape.length === 0 ||
    shape.length > 2 ||
    !shape.every((d) => Number.isInteger(d) && d >= 0) ||
    (shape.length === 2 && shape[1] !== 1)
  ) {
    throw invalidInput(`inputs[0].shape must be [n] or [n, 1], got ${JSON.stringify(shape)}`);
  }
  if (!Array.isArray(data)) throw invalidInput('inputs[0].data must be an array of texts');
  const flat = data.flat(2);
  if (flat.length !== product(shape as number[])) {
    throw invalidInput(
      `inputs[0].data has ${flat.length} elements but shape ${JSON.stringify(shape)} needs ${product(shape as number[])}`,
    );
  }
  return checkTexts(flat, context.limits, 'inputs[0].data');
}

function requestedOutputs(body: Record<string, unknown>): Set<string> {
  if (body.outputs === undefined) return new Set(KSERVE_OUTPUTS);
  if (!Array.isArray(body.outputs)) throw invalidInput('outputs must be an array');
  return new Set(
    body.outputs.map((output: unknown, i) => {
      const name = isPlainObject(output) ? output.name : undefined;
      if (typeof name !== 'string' || !(KSERVE_OUTPUTS as readonly string[]).includes(name)) {
        throw invalidInput(
          `outputs[${i}].name must be one of ${KSERVE_OUTPUTS.join(', ')}, got ${JSON.stringify(name)}`,
        );
      }
      return name;
    }),
  );
}

export function registerKServeV2(app: FastifyInstance, context: ProtocolContext): void {
  const { repository } = context;
  app.get('/v2/health/live', async () => ({ live: true }));
  app.get('/v2/health/ready', async (_request, reply) => {
    const ready = context.isReady();
    return reply.code(ready ? 200 : 503).send({ ready });
  });
  const serverMetadata = async () => ({
    name: 'lstmkit',
    version: packageJson.version,
    extensions: [],
  });
  app.get('/v2', serverMetadata);
  app.get('/v2/', serverMetadata);

  for (const prefix of ['/v2/models/:name', '/v2/models/:name/versions/:version']) {
    app.get<{ Params: VersionParams }>(prefix, async (request) => {
      const { name, version } = request.params;
      const model = repository.resolve(name, version);
      return modelMetadata(name, repository.versions(name), model);
    });

    app.get<{ Params: VersionParams }>(`${prefix}/ready`, async (request, reply) => {
      const { name, version } = request.params;
      repository.status(name); // 404 for an unknown model
      let ready = true;
      try {
        repository.resolve(name, version);
      } catch {
        ready = false;
      }
      return reply.code(ready ? 200 : 503).send({ name, ready });
    });

    app.post<{ Params: VersionParams; Body: unknown }>(`${prefix}/infer`, async (request) => {
      const body = request.body;
      const texts = inputTexts(body, context);
      const inference = body as Record<string, unknown>;
      const outputs = requestedOutputs(inference);
      if (inference.id !== undefined && typeof inference.id !== 'string') {
        throw invalidInput('id must be a string');
      }
      const { name, version } = request.params;
      const { model, predictions } = await context.classify(request, name, version, texts);
      const classes = model.labels.length;
      const tensors = {
        probabilities: () => ({
          datatype: 'FP32',
          shape: [texts.length, classes],
          data: predictions.flatMap((p) => p.probabilities),
        }),
        label: () => ({
          datatype: 'BYTES',
          shape: [texts.length],
          data: predictions.map((p) => p.label),
        }),
        known_tokens: () => ({
          datatype: 'INT32',
          shape: [texts.length],
          data: predictions.map((p) => p.knownTokens),
        }),
      };
      return {
        model_name: model.name,
        model_version: String(model.version),
        ...(inference.id !== undefined && { id: inference.id }),
        outputs: KSERVE_OUTPUTS.filter((output) => outputs.has(output)).map((output) => ({
          name: output,
          ...tensors[output](),
        })),
      };
    });
  }
}
