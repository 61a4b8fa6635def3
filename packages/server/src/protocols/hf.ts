import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ProtocolContext } from '../inference.js';
import { parseTopK, rankedScores } from '../scores.js';
import { checkTexts, invalidInput, isPlainObject } from './texts.js';

/**
 * The text-classification shape the Hugging Face inference clients send and read:
 * `{"inputs": text | [texts], "parameters": {"top_k": k}}` answered by one list of
 * `{"label", "score"}` per input, most probable first.
 */

const FUNCTIONS = [null, undefined, 'default'];

function parameters(body: Record<string, unknown>): number | undefined {
  if (body.parameters === undefined || body.parameters === null) return undefined;
  if (!isPlainObject(body.parameters)) throw invalidInput('parameters must be an object');
  const { top_k, function_to_apply, ...rest } = body.parameters;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) {
    throw invalidInput(`unknown parameter "${unknown}"; supported: top_k, function_to_apply`);
  }
  if (!FUNCTIONS.includes(function_to_apply as string)) {
    throw invalidInput(
      `function_to_apply ${JSON.stringify(function_to_apply)} is not supported: scores are the model's own probabilities`,
    );
  }
  return parseTopK(top_k, 'parameters.top_k');
}

export function registerHuggingFace(app: FastifyInstance, context: ProtocolContext): void {
  const handler = async (request: FastifyRequest<{ Params: { name?: string }; Body: unknown }>) => {
    const body = request.body;
    if (!isPlainObject(body) || body.inputs === undefined) {
      throw invalidInput('body must be {"inputs": "text" | ["text", ...], "parameters": {...}}');
    }
    const topK = parameters(body);
    const texts = checkTexts(
      Array.isArray(body.inputs) ? body.inputs : [body.inputs],
      context.limits,
      'inputs',
    );
    const { model, predictions } = await context.classify(
      request,
      request.params.name,
      undefined,
      texts,
    );
    return predictions.map((p) => rankedScores(p, model.labels, topK));
  };
  app.post('/models/:name', handler);
  app.post('/', handler);
}
