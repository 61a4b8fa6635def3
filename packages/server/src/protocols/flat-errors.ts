import type { FastifyInstance } from 'fastify';

/**
 * KServe v2, TensorFlow Serving and the Hugging Face clients all read errors as
 * `{"error": "message"}`. Routes registered in `scope` keep the server's one error handler
 * (codes, statuses, messages) and only the body is flattened on the way out; the stable code
 * stays beside the message.
 */
export function flattenErrors(scope: FastifyInstance): void {
  scope.addHook('onSend', async (_request, reply, payload) => {
    if (reply.statusCode < 400 || typeof payload !== 'string') return payload;
    try {
      const body = JSON.parse(payload) as { error?: { code?: unknown; message?: unknown } };
      return typeof body.error?.message === 'string'
        ? JSON.stringify({ error: body.error.message, code: body.error.code })
        : payload;
    } catch {
      return payload;
    }
  });
}
