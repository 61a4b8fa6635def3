import type { FastifyInstance } from 'fastify';
import type { ProtocolContext } from '../inference.js';
import { registerAdmin } from './admin.js';
import { flattenErrors } from './flat-errors.js';
import { registerHuggingFace } from './hf.js';
import { registerKServeV2 } from './kserve-v2.js';
import { registerTfServing } from './tf-serving.js';

/** The standard protocols, beside `/predict`, over the same repository, batchers and limits. */
export async function registerProtocols(
  app: FastifyInstance,
  context: ProtocolContext,
): Promise<void> {
  await app.register(async (scope) => {
    flattenErrors(scope);
    registerKServeV2(scope, context);
    registerTfServing(scope, context);
    registerHuggingFace(scope, context);
  });
  registerAdmin(app, context);
}
