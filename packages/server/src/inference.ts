import type { Prediction } from '@lstmkit/model';
import type { FastifyRequest } from 'fastify';
import type { ModelRepository, ServedModel } from './model-repository.js';
import type { InputLimits } from './schemas.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The model version that answered, for the metrics' and the access log's labels. */
    servedBy?: ServedModel;
  }
}

export interface Classified {
  model: ServedModel;
  predictions: Prediction[];
}

/** Runs texts through a model version (the default model's newest when not named). */
export type Classify = (
  request: FastifyRequest,
  name: string | undefined,
  version: string | undefined,
  texts: string[],
) => Promise<Classified>;

export type ClassifyDefault = (request: FastifyRequest, texts: string[]) => Promise<Classified>;

/** What every protocol's routes get. */
export interface ProtocolContext {
  repository: ModelRepository;
  classify: Classify;
  limits: InputLimits;
  adminToken: string | undefined;
  /** Some model serves and the server is not draining. */
  isReady: () => boolean;
}
