import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

export const REQUEST_ID_HEADER = 'x-request-id';

// Ids end up in logs and response headers: a bounded, printable charset keeps both clean.
const ACCEPTED_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** A client's (or gateway's) `x-request-id` is kept when it is sane; otherwise a UUID. */
export const requestIdOptions = {
  requestIdHeader: false as const,
  genReqId: (request: IncomingMessage): string => {
    const given = request.headers[REQUEST_ID_HEADER];
    return typeof given === 'string' && ACCEPTED_ID.test(given) ? given : randomUUID();
  },
};

/** Echoes the id on every response, errors included. */
export function installRequestIds(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
}
