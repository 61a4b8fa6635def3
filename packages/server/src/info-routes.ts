import type { FastifyInstance } from 'fastify';
import { type MetricFamily, renderPrometheus } from './prometheus.js';
import { statusResponseSchema } from './schemas.js';

export interface InfoRouteOptions {
  modelInfo: () => Record<string, unknown>;
  isReady: () => boolean;
  openapi: Record<string, unknown>;
  collectMetrics: () => Promise<MetricFamily[]>;
}

export function registerInfoRoutes(app: FastifyInstance, options: InfoRouteOptions): void {
  const status = { schema: { response: { 200: statusResponseSchema, 503: statusResponseSchema } } };
  // Liveness: the process answers. Readiness: a model is loaded (a model repository may start
  // empty); while closing both answer 503.
  app.get('/health', status, async () => ({ status: 'ok' }));
  app.get('/ready', status, async (_request, reply) =>
    options.isReady() ? { status: 'ready' } : reply.code(503).send({ status: 'not ready' }),
  );
  app.get('/model', async () => options.modelInfo());
  app.get('/openapi.json', async () => options.openapi);
  app.get('/metrics', async (_request, reply) => {
    const text = renderPrometheus(await options.collectMetrics());
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(text);
  });
}
