import type { Prediction } from '@lstmkit/model';
import { LstmkitError } from '@lstmkit/model';
import type { FastifyInstance } from 'fastify';
import type { MicroBatcher } from './micro-batcher.js';
import {
  errorResponseSchema,
  getPredictBodySchema,
  getPredictQuerySchema,
  getPredictResponseSchema,
  type InputLimits,
  postPredictBodySchema,
  postPredictResponseSchema,
} from './schemas.js';

interface Input {
  input?: string;
}

const errorResponses = { '4xx': errorResponseSchema, '5xx': errorResponseSchema };

export function registerPredictRoutes(
  app: FastifyInstance,
  batcher: MicroBatcher<string, Prediction>,
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
      const [prediction] = await batcher.submit([input]);
      return { response: prediction!.probability, knownTokens: prediction!.knownTokens };
    },
  );

  app.post<{ Body: { input: string | string[] } }>(
    '/predict',
    {
      schema: {
        body: postPredictBodySchema(limits),
        response: { 200: postPredictResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { input } = request.body;
      if (typeof input === 'string') {
        const [prediction] = await batcher.submit([input]);
        return {
          response: prediction!.probability,
          label: prediction!.label,
          knownTokens: prediction!.knownTokens,
        };
      }
      const predictions = await batcher.submit(input);
      return {
        response: predictions.map((p) => p.probability),
        labels: predictions.map((p) => p.label),
        knownTokens: predictions.map((p) => p.knownTokens),
      };
    },
  );
}
