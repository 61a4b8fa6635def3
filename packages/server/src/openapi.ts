import { protocolPaths } from './protocols/openapi-paths.js';
import {
  errorResponseSchema,
  getPredictBodySchema,
  getPredictResponseSchema,
  type InputLimits,
  postPredictBodySchema,
  postPredictResponseSchema,
  statusResponseSchema,
  textSchema,
} from './schemas.js';

const json = (schema: unknown) => ({ 'application/json': { schema } });

function errors(...statuses: number[]) {
  const descriptions: Record<number, string> = {
    400: 'Invalid input or malformed JSON',
    404: 'No such route',
    413: 'Too many texts, a text over the length limit, or a body over the size limit',
    415: 'Content-Type is not application/json',
    503: 'The server is shutting down',
  };
  return Object.fromEntries(
    statuses.map((status) => [
      String(status),
      { description: descriptions[status], content: json(errorResponseSchema) },
    ]),
  );
}

/** The OpenAPI 3.1 document, built from the same schemas the routes validate with. */
export function openApiDocument(limits: InputLimits, version: string): Record<string, unknown> {
  const predictErrors = errors(400, 413, 415, 503);
  const status = (description: string) => ({
    200: { description, content: json(statusResponseSchema) },
    ...errors(503),
  });
  return {
    openapi: '3.1.0',
    info: {
      title: 'lstmkit prediction API',
      version,
      description:
        'Text classification with LSTM/BiLSTM bundles trained by lstmkit: its own /predict, the Open Inference Protocol (KServe v2), TensorFlow Serving REST and the Hugging Face text-classification shape.',
    },
    components: { securitySchemes: { adminToken: { type: 'http', scheme: 'bearer' } } },
    paths: {
      '/predict': {
        get: {
          summary: 'Probability for one text (the textbook API)',
          description:
            'Send {"input": "text"} as a JSON body, or ?input=. For two classes the probability is that of the second label; otherwise that of the top label.',
          parameters: [{ name: 'input', in: 'query', required: false, schema: textSchema(limits) }],
          requestBody: { required: false, content: json(getPredictBodySchema(limits)) },
          responses: {
            200: { description: 'The probability', content: json(getPredictResponseSchema) },
            ...predictErrors,
          },
        },
        post: {
          summary: 'Probabilities, labels and per-class scores (top_k) for one text or a batch',
          requestBody: { required: true, content: json(postPredictBodySchema(limits)) },
          responses: {
            200: {
              description: 'Probability and label per text',
              content: json(postPredictResponseSchema),
            },
            ...predictErrors,
          },
        },
      },
      '/health': { get: { summary: 'Liveness', responses: status('The process is up') } },
      '/ready': { get: { summary: 'Readiness', responses: status('The model is loaded') } },
      '/model': {
        get: {
          summary: 'Model metadata: labels, sequence length, configuration, metrics, versions',
          responses: { 200: { description: 'Metadata', content: json({ type: 'object' }) } },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics',
          responses: {
            200: {
              description: 'Text exposition format 0.0.4',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
          },
        },
      },
      '/openapi.json': {
        get: {
          summary: 'This document',
          responses: { 200: { description: 'OpenAPI 3.1', content: json({ type: 'object' }) } },
        },
      },
      ...protocolPaths(limits),
    },
  };
}
