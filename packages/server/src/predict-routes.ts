import { LstmkitError } from '@lstmkit/model';
import type { FastifyInstance } from 'fastify';
import type { ClassifyDefault } from './inference.js';
import {
  errorResponseSchema,
  getPredictBodySchema,
  getPredictQuerySchema,
  getPredictResponseSchema,
  type InputLimits,
  postPredictBodySchema,
  postPredictResponseSchema,
} from './schemas.js';
import { parseTopK, rankedScores } from './scores.js';

interface Input {
  input?: string;
}

const errorResponses = { '4xx': errorResponseSchema, '5xx': errorResponseSchema };

export function registerPredictRoutes(
  app: FastifyInstance,
  classify: ClassifyDefault,
  limits: InputLimits,
): void {
  // The textbook API: GET with a JSON body (fastify ignores GET bodies unless told otherwise,
  // see create-server) or with ?input=.
  app.get<{ Body: Input | undefined; Querystring: Input }>(
    '/predict',
    {
      // HEAD cannot carry the body schema, and a prediction has no meaningful HEAD.
      exposeHeadRoute: false,
      schema: {
        querystring: getPredictQuerySchema(limits),
        body: getPredictBodySchema(limits),
        response: { 200: getPredictResponseSchema, ...errorResponses },
      },
      // A GET usually has no body; validate it as an empty object then.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) => {
      const fromBody = request.body?.input;
      const fromQuery = request.query.input;
      if (fromBody !== undefined && fromQuery !== undefined) {
        throw new LstmkitError(
          'INVALID_INPUT',
          'send input in the JSON body or in ?input=, not both',
        );
      }
      const input = fromBody ?? fromQuery;
      if (input === undefined) {
        throw new LstmkitError(
          'INVALID_INPUT',
          'missing input; send {"input": "some text"} as a JSON body or ?input=some%20text',
        );
      }
      const { predictions } = await classify(request, [input]);
      return { response: predictions[0]!.probability, knownTokens: predictions[0]!.knownTokens };
    },
  );

  app.post<{ Body: { input: string | string[]; top_k?: unknown } }>(
    '/predict',
    {
      schema: {
        body: postPredictBodySchema(limits),
        response: { 200: postPredictResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { input } = request.body;
      const topK = parseTopK(request.body.top_k);
      const texts = typeof input === 'string' ? [input] : input;
      const { model, predictions } = await classify(request, texts);
      const scores = predictions.map((p) => rankedScores(p, model.labels, topK));
      if (typeof input === 'string') {
        const [prediction] = predictions;
        return {
          response: prediction!.probability,
          label: prediction!.label,
          scores: scores[0],
          knownTokens: prediction!.knownTokens,
        };
      }
      return {
        response: predictions.map((p) => p.probability),
        labels: predictions.map((p) => p.label),
        scores,
        knownTokens: predictions.map((p) => p.knownTokens),
      };
    },
  );
}
