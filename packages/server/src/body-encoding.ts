import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { LstmkitError } from '@lstmkit/model';
import type { FastifyInstance } from 'fastify';

const unsupported = (message: string) => new LstmkitError('UNSUPPORTED_MEDIA_TYPE', message);

/**
 * Bodies are UTF-8 JSON, plain or gzip-compressed: `Content-Encoding: gzip` is decoded (the
 * decoded size counts against bodyLimit), any other encoding and any charset but UTF-8 are
 * refused with 415 rather than read as if they were plain UTF-8.
 */
export function installBodyEncoding(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers['content-type'] ?? '');
    if (charset !== null && !/^utf-?8$/i.test(charset[1]!)) {
      throw unsupported(`charset ${charset[1]} is not supported; send UTF-8 JSON`);
    }
    const encoding = request.headers['content-encoding']?.trim().toLowerCase();
    if (encoding !== undefined && !['identity', 'gzip', 'x-gzip'].includes(encoding)) {
      throw unsupported(`Content-Encoding ${encoding} is not supported; send gzip or no encoding`);
    }
  });
  app.addHook('preParsing', async (request, _reply, payload) => {
    const encoding = request.headers['content-encoding']?.trim().toLowerCase();
    if (encoding !== 'gzip' && encoding !== 'x-gzip') return payload;
    const gunzip = createGunzip() as ReturnType<typeof createGunzip> & {
      receivedEncodedLength: number;
    };
    // fastify compares this with Content-Length, which counts the compressed bytes.
    gunzip.receivedEncodedLength = 0;
    payload.on('data', (chunk: Buffer) => {
      gunzip.receivedEncodedLength += chunk.length;
    });
    return (payload as Readable).pipe(gunzip);
  });
}
