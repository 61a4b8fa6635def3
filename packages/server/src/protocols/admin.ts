import { createHash, timingSafeEqual } from 'node:crypto';
import { LstmkitError } from '@lstmkit/model';
import type { FastifyInstance } from 'fastify';
import type { ProtocolContext } from '../inference.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** `POST /admin/reload`: scans the model repository now. Absent unless a token is configured. */
export function registerAdmin(app: FastifyInstance, context: ProtocolContext): void {
  const { adminToken, repository } = context;
  if (adminToken === undefined) return;
  const expected = digest(adminToken);
  app.post('/admin/reload', async (request) => {
    const header = request.headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    // Equal-length digests: the comparison takes the same time whatever the guess.
    if (!timingSafeEqual(digest(given), expected)) {
      throw new LstmkitError('UNAUTHORIZED', 'send Authorization: Bearer <the admin token>');
    }
    await repository.reload();
    return {
      models: repository.names().map((name) => ({ name, versions: repository.status(name) })),
    };
  });
}
