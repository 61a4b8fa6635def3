/** JSON schemas shared by route validation, response serialization and the OpenAPI document. */
export interface InputLimits {
  maxItems: number;
  maxTextLength: number;
}

export function textSchema(limits: InputLimits) {
  // Any non-empty text is classified; one with no known tokens says so with knownTokens: 0.
  return { type: 'string', minLength: 1, maxLength: limits.maxTextLength } as const;
}

export function getPredictBodySchema(limits: InputLimits) {
  return {
    type: 'object',
    properties: { input: textSchema(limits) },
    additionalProperties: false,
  } as const;
}

export function getPredictQuerySchema(limits: InputLimits) {
  return { type: 'object', properties: { input: textSchema(limits) } } as const;
}

export function postPredictBodySchema(limits: InputLimits) {
  return {
    type: 'object',
    required: ['input'],
    properties: {
      input: {
        oneOf: [
          textSchema(limits),
          { type: 'array', minItems: 1, maxItems: limits.maxItems, items: textSchema(limits) },
        ],
      },
      // Checked by the route (a positive integer or null), with a message naming it.
      top_k: { description: 'Return only the k most probable classes in scores.' },
    },
    additionalProperties: false,
  } as const;
}

const probability = { type: 'number', minimum: 0, maximum: 1 } as const;
const knownTokens = {
  type: 'integer',
  minimum: 0,
  description:
    'tokens of the text found in the vocabulary; 0: nothing to classify (emoji, punctuation, unseen words or whitespace only), the answer is the model prior',
} as const;

/** Classes with their probabilities, most probable first (the Hugging Face shape). */
export const labelScoresSchema = {
  type: 'array',
  items: {
    type: 'object',
    required: ['label', 'score'],
    properties: { label: { type: 'string' }, score: probability },
  },
} as const;

export const getPredictResponseSchema = {
  type: 'object',
  required: ['response', 'knownTokens'],
  properties: { response: probability, knownTokens },
} as const;

export const postPredictResponseSchema = {
  anyOf: [
    {
      type: 'object',
      required: ['response', 'label', 'scores', 'knownTokens'],
      properties: {
        response: probability,
        label: { type: 'string' },
        scores: labelScoresSchema,
        knownTokens,
      },
    },
    {
      type: 'object',
      required: ['response', 'labels', 'scores', 'knownTokens'],
      properties: {
        response: { type: 'array', items: probability },
        labels: { type: 'array', items: { type: 'string' } },
        scores: { type: 'array', items: labelScoresSchema },
        knownTokens: { type: 'array', items: knownTokens },
      },
    },
  ],
} as const;

export const errorResponseSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
} as const;

export const statusResponseSchema = {
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'string' } },
} as const;
