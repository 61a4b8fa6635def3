import type { InputLimits } from '../schemas.js';
import { labelScoresSchema } from '../schemas.js';
import { KSERVE_OUTPUTS } from './kserve-v2.js';

/** OpenAPI paths of the standard protocols, for the server's one OpenAPI document. */

const json = (schema: unknown) => ({ 'application/json': { schema } });
const flatError = {
  type: 'object',
  required: ['error'],
  properties: { error: { type: 'string' }, code: { type: 'string' } },
};
const errors = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((status) => [String(status), { description: 'Error', content: json(flatError) }]),
  );
const nameParam = { name: 'name', in: 'path', required: true, schema: { type: 'string' } };
const versionParam = {
  name: 'version',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: '^[1-9][0-9]*$' },
};

/** Each operation at `{base}` and `{base}/versions/{version}` (a pinned version). */
function versioned(base: string, suffix: string, operation: (pinned: boolean) => object) {
  return {
    [`${base}${suffix}`]: operation(false),
    [`${base}/versions/{version}${suffix}`]: operation(true),
  };
}

const params = (pinned: boolean) => (pinned ? [nameParam, versionParam] : [nameParam]);

export function protocolPaths(limits: InputLimits): Record<string, unknown> {
  const text = { type: 'string', minLength: 1, maxLength: limits.maxTextLength };
  const texts = { type: 'array', minItems: 1, maxItems: limits.maxItems, items: text };
  const tensor = {
    type: 'object',
    required: ['name', 'datatype', 'shape'],
    properties: {
      name: { type: 'string' },
      datatype: { type: 'string' },
      shape: { type: 'array', items: { type: 'integer' } },
    },
  };
  const inferRequest = {
    type: 'object',
    required: ['inputs'],
    properties: {
      id: { type: 'string' },
      parameters: { type: 'object' },
      inputs: {
        type: 'array',
        minItems: 1,
        maxItems: 1,
        items: {
          type: 'object',
          required: ['name', 'shape', 'datatype', 'data'],
          properties: {
            name: { type: 'string', examples: ['text'] },
            shape: { type: 'array', items: { type: 'integer' }, description: '[n] or [n, 1]' },
            datatype: { const: 'BYTES' },
            data: { type: 'array', description: 'n texts, flat or nested' },
          },
        },
      },
      outputs: {
        type: 'array',
        items: {
          type: 'object',
          required: ['name'],
          properties: { name: { enum: [...KSERVE_OUTPUTS] } },
        },
      },
    },
  };
  const inferResponse = {
    type: 'object',
    required: ['model_name', 'outputs'],
    properties: {
      model_name: { type: 'string' },
      model_version: { type: 'string' },
      id: { type: 'string' },
      outputs: {
        type: 'array',
        items: {
          ...tensor,
          required: [...tensor.required, 'data'],
          properties: { ...tensor.properties, data: { type: 'array' } },
        },
        description: 'probabilities: FP32 [n, classes]; label: BYTES [n]',
      },
    },
  };
  const modelMetadata = {
    type: 'object',
    required: ['name', 'platform'],
    properties: {
      name: { type: 'string' },
      versions: { type: 'array', items: { type: 'string' } },
      platform: { type: 'string' },
      inputs: { type: 'array', items: tensor },
      outputs: { type: 'array', items: tensor },
      properties: { type: 'object', additionalProperties: { type: 'string' } },
    },
  };
  const ok = (description: string, schema: unknown) => ({
    200: { description, content: json(schema) },
  });
  const probabilities = { type: 'array', items: { type: 'array', items: { type: 'number' } } };
  const hfBody = {
    type: 'object',
    required: ['inputs'],
    properties: {
      inputs: { oneOf: [text, texts] },
      parameters: {
        type: 'object',
        properties: {
          top_k: { type: ['integer', 'null'], minimum: 1 },
          function_to_apply: { enum: [null, 'default'] },
        },
      },
    },
  };
  const hf = {
    post: {
      tags: ['Hugging Face'],
      summary: 'Text classification in the Hugging Face inference shape',
      requestBody: { required: true, content: json(hfBody) },
      responses: {
        ...ok('One list of {label, score} per input, most probable first', {
          type: 'array',
          items: labelScoresSchema,
        }),
        ...errors(400, 404, 413, 503),
      },
    },
  };
  const statusSchema = {
    type: 'object',
    properties: {
      model_version_status: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            version: { type: 'string' },
            state: { enum: ['LOADING', 'AVAILABLE', 'END'] },
            status: {
              type: 'object',
              properties: { error_code: { type: 'string' }, error_message: { type: 'string' } },
            },
          },
        },
      },
    },
  };
  return {
    '/v2/health/live': {
      get: {
        tags: ['KServe v2'],
        summary: 'Server live',
        responses: ok('Live', { type: 'object', properties: { live: { type: 'boolean' } } }),
      },
    },
    '/v2/health/ready': {
      get: {
        tags: ['KServe v2'],
        summary: 'Server ready: some model serves (503 while none does, or while draining)',
        responses: {
          ...ok('Ready', { type: 'object', properties: { ready: { type: 'boolean' } } }),
          503: { description: 'Not ready' },
        },
      },
    },
    '/v2': {
      get: {
        tags: ['KServe v2'],
        summary: 'Server metadata',
        responses: ok('Metadata', {
          type: 'object',
          required: ['name', 'version', 'extensions'],
          properties: {
            name: { type: 'string' },
            version: { type: 'string' },
            extensions: { type: 'array', items: { type: 'string' } },
          },
        }),
      },
    },
    ...versioned('/v2/models/{name}', '', (pinned) => ({
      get: {
        tags: ['KServe v2'],
        summary: 'Model metadata',
        parameters: params(pinned),
        responses: { ...ok('Metadata', modelMetadata), ...errors(404, 503) },
      },
    })),
    ...versioned('/v2/models/{name}', '/ready', (pinned) => ({
      get: {
        tags: ['KServe v2'],
        summary: 'Model ready',
        parameters: params(pinned),
        responses: {
          ...ok('Ready', {
            type: 'object',
            properties: { name: { type: 'string' }, ready: { type: 'boolean' } },
          }),
          503: { description: 'Not loaded' },
          ...errors(404),
        },
      },
    })),
    ...versioned('/v2/models/{name}', '/infer', (pinned) => ({
      post: {
        tags: ['KServe v2'],
        summary: 'Inference: a BYTES tensor of texts in, class probabilities and labels out',
        parameters: params(pinned),
        requestBody: { required: true, content: json(inferRequest) },
        responses: {
          ...ok('Inference response', inferResponse),
          ...errors(400, 404, 413, 415, 503),
        },
      },
    })),
    ...versioned('/v1/models/{name}', ':predict', (pinned) => ({
      post: {
        tags: ['TensorFlow Serving'],
        summary: 'Predict: texts in (instances or inputs), class probabilities out',
        parameters: params(pinned),
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            properties: {
              signature_name: { const: 'serving_default' },
              instances: {
                type: 'array',
                items: { oneOf: [text, { type: 'object', properties: { text } }] },
              },
              inputs: {
                oneOf: [
                  text,
                  texts,
                  { type: 'object', properties: { text: { oneOf: [text, texts] } } },
                ],
              },
            },
          }),
        },
        responses: {
          ...ok('predictions (row format) or outputs (columnar format)', {
            type: 'object',
            properties: { predictions: probabilities, outputs: probabilities },
          }),
          ...errors(400, 404, 413, 503),
        },
      },
    })),
    ...versioned('/v1/models/{name}', ':classify', (pinned) => ({
      post: {
        tags: ['TensorFlow Serving'],
        summary: 'Classify: label/score pairs per example',
        parameters: params(pinned),
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            required: ['examples'],
            properties: {
              examples: { type: 'array', items: { type: 'object', properties: { text } } },
              context: { type: 'object' },
            },
          }),
        },
        responses: {
          ...ok('result: per example, [label, score] for every class', {
            type: 'object',
            properties: {
              result: {
                type: 'array',
                items: {
                  type: 'array',
                  items: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }] },
                },
              },
            },
          }),
          ...errors(400, 404, 413, 503),
        },
      },
    })),
    ...versioned('/v1/models/{name}', '', (pinned) => ({
      get: {
        tags: ['TensorFlow Serving'],
        summary: 'Model status',
        parameters: params(pinned),
        responses: { ...ok('Status of every known version', statusSchema), ...errors(404) },
      },
    })),
    ...versioned('/v1/models/{name}', '/metadata', (pinned) => ({
      get: {
        tags: ['TensorFlow Serving'],
        summary: 'Model metadata (signature_def)',
        parameters: params(pinned),
        responses: { ...ok('Metadata', { type: 'object' }), ...errors(404, 503) },
      },
    })),
    '/models/{name}': { post: { ...hf.post, parameters: [nameParam] } },
    '/': {
      post: {
        ...hf.post,
        summary: 'Text classification with the default model (Hugging Face shape)',
      },
    },
    '/admin/reload': {
      post: {
        tags: ['Operations'],
        summary: 'Scan the model repository now (only when an admin token is configured)',
        security: [{ adminToken: [] }],
        responses: {
          ...ok('Every model and the status of its versions', { type: 'object' }),
          401: { description: 'Missing or wrong token' },
        },
      },
    },
  };
}
