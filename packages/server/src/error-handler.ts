import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { isLstmkitError } from '@lstmkit/model';
import type { FastifyError, FastifyInstance } from 'fastify';
import { errorBody, httpStatusFor } from './http-errors.js';
import type { InputLimits } from './schemas.js';

interface SchemaError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
}

/** Turns ajv errors into one error code and a message that names the field and the limit. */
function describeValidation(errors: SchemaError[], part: string, limits: InputLimits) {
  const where = (path: string) => (path === '' ? part : path.slice(1).replaceAll('/', '.'));
  const find = (keyword: string) => errors.find((e) => e.keyword === keyword);
  const tooMany = find('maxItems');
  if (tooMany !== undefined) {
    return {
      code: 'TOO_MANY_ITEMS',
      message: `input has more than ${limits.maxItems} texts; send at most ${limits.maxItems} per request`,
    };
  }
  const tooLong = find('maxLength');
  if (tooLong !== undefined) {
    return {
      code: 'TEXT_TOO_LONG',
      message: `${where(tooLong.instancePath)} is longer than ${limits.maxTextLength} characters`,
    };
  }
  const unknown = find('additionalProperties');
  if (unknown !== undefined) {
    return {
      code: 'INVALID_INPUT',
      message: `unknown field "${String(unknown.params.additionalProperty)}" in ${part}; send {"input": ...}`,
    };
  }
  if (find('required') !== undefined) {
    return {
      code: 'INVALID_INPUT',
      message: `${part} has no "input" field; send {"input": "some text"}`,
    };
  }
  const first = errors[0];
  if (first !== undefined && first.instancePath === '' && first.keyword === 'type') {
    return {
      code: 'INVALID_INPUT',
      message: `${part} must be a JSON object like {"input": "some text"}`,
    };
  }
  const path = where(first?.instancePath ?? '');
  return part === 'body' && path === 'input' && errors.some((e) => e.keyword === 'oneOf')
    ? {
        code: 'INVALID_INPUT',
        message: `input must be a non-empty string or an array of 1 to ${limits.maxItems} non-empty strings`,
      }
    : { code: 'INVALID_INPUT', message: `${path} must be a non-empty string` };
}

/** Maps fastify's own request errors to our codes; anything else is an internal error. */
function describeFastifyError(error: FastifyError, bodyLimit: number) {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        code: 'PAYLOAD_TOO_LARGE',
        message: `request body is larger than ${bodyLimit} bytes`,
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Content-Type must be application/json' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return {
        code: 'INVALID_JSON',
        message: 'body is empty but Content-Type is application/json',
      };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { code: 'INVALID_JSON', message: 'body is not valid JSON' };
    // zlib, decoding a Content-Encoding: gzip body
    case 'Z_DATA_ERROR':
    case 'Z_BUF_ERROR':
      return {
        code: 'INVALID_REQUEST',
        message: 'body is not valid gzip (Content-Encoding: gzip)',
      };
    default:
      return error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500
        ? { code: 'INVALID_REQUEST', message: error.message }
        : undefined;
  }
}

/** Every error leaves as `{"error": {"code", "message"}}` with the status from `httpStatusFor`. */
export function installErrorHandlers(
  app: FastifyInstance,
  limits: InputLimits & { bodyLimit: number },
): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const described = error.validation
      ? describeValidation(
          error.validation as SchemaError[],
          error.validationContext ?? 'body',
          limits,
        )
      : isLstmkitError(error)
        ? { code: error.code, message: error.message }
        : describeFastifyError(error, limits.bodyLimit);
    if (described === undefined) {
      request.log.error({ err: error }, 'request failed');
      return reply.code(500).send(errorBody('INTERNAL', 'internal server error'));
    }
    // Fastify's own 4xx (such as a bad Content-Length) keep their status; ours map by code.
    const status =
      described.code === 'INVALID_REQUEST'
        ? (error.statusCode ?? 400)
        : httpStatusFor(described.code);
    // The queue drains within about a second (see maxQueuedTexts).
    if (described.code === 'QUEUE_FULL') reply.header('retry-after', '1');
    return reply.code(status).send(errorBody(described.code, described.message));
  });

  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(errorBody('NOT_FOUND', `no route for ${request.method} ${request.url.split('?')[0]}`)),
  );
}

/** What Node's HTTP parser refused, in our codes. */
function describeClientError(error: NodeJS.ErrnoException & { reason?: string }) {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        code: 'REQUEST_TIMEOUT',
        message: 'the request (headers and body) did not arrive within the time allowed',
      };
    case 'HPE_HEADER_OVERFLOW':
      return { code: 'HEADERS_TOO_LARGE', message: 'the request headers are too large' };
    case 'HPE_PAUSED_H2_UPGRADE':
      return {
        code: 'INVALID_REQUEST',
        message: 'HTTP/2 is not supported here (the prior-knowledge preface); use HTTP/1.1',
      };
    default:
      return {
        code: 'INVALID_REQUEST',
        message: `the request is not valid HTTP/1.1: ${error.reason ?? error.message}`,
      };
  }
}

/**
 * Answers requests Node's HTTP parser rejects (bad framing, oversized headers, timeouts) in
 * the same `{"error": {"code", "message"}}` shape, then closes the connection.
 */
export function clientErrorHandler(onClientError?: (code: string) => void) {
  return (error: NodeJS.ErrnoException & { reason?: string }, socket: Socket): void => {
    // A reset connection has no one to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const { code, message } = describeClientError(error);
    onClientError?.(code);
    // Not in the middle of a response to an earlier request on this connection.
    const pending = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && pending?.headersSent !== true) {
      const status = httpStatusFor(code);
      const body = JSON.stringify(errorBody(code, message));
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  };
}
