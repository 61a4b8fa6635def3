import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { jsonRequest, parseRawResponse, rawExchange, request } from './__fixtures__/http.js';
import { type RunningServer, startServer } from './start-server.js';

const modelDir = inject('bundleDir');
const words = ['great', 'awful', 'the', 'film', 'plot', 'fun', 'dull', 'acting'];
const bigInput = Array.from({ length: 256 }, (_, i) => `${words[i % 8]} ${words[(i * 3) % 8]}`);

const metricValue = (text: string, name: string) =>
  Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);

describe('under a backlog', () => {
  let server: RunningServer;
  beforeAll(async () => {
    // Small batches, so 24 requests of 256 texts are 1,536 forward passes of queued work.
    server = await startServer({ modelDir, port: 0, maxBatchSize: 4, maxQueuedTexts: 100_000 });
  });
  afterAll(() => server?.close());

  it('answers /health and /metrics while predictions are still queued', async () => {
    let done = 0;
    const backlog = Array.from({ length: 24 }, () =>
      jsonRequest(server.url, 'POST', '/predict', { input: bigInput }).then((res) => {
        done += 1;
        return res;
      }),
    );
    await Promise.race(backlog);
    const health = await request(server.url, { path: '/health' });
    const doneAtHealth = done;
    const metrics = await request(server.url, { path: '/metrics' });
    expect(health.json).toEqual({ status: 'ok' });
    // Before the fix the batcher ran the whole queue before any other I/O: /health came last.
    expect(doneAtHealth).toBeLessThan(backlog.length);
    expect(metricValue(metrics.text, 'lstmkit_predict_queued_texts')).toBeGreaterThan(0);
    const responses = await Promise.all(backlog);
    expect(responses.every((res) => res.status === 200 && res.json.labels.length === 256)).toBe(
      true,
    );
  });
});

describe('a full queue', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ modelDir, port: 0, maxBatchSize: 4, maxQueuedTexts: 256 });
  });
  afterAll(() => server?.close());

  it('answers 503 QUEUE_FULL with Retry-After, counted in /metrics', async () => {
    const responses = await Promise.all(
      Array.from({ length: 8 }, () =>
        jsonRequest(server.url, 'POST', '/predict', { input: bigInput }),
      ),
    );
    const refused = responses.filter((res) => res.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    expect(responses.filter((res) => res.status === 200).length).toBeGreaterThan(0);
    expect(refused.length + responses.filter((res) => res.status === 200).length).toBe(8);
    expect(refused[0]!.headers['retry-after']).toBe('1');
    expect(refused[0]!.json.error).toEqual({
      code: 'QUEUE_FULL',
      message: expect.stringContaining('maxQueuedTexts 256'),
    });
    const metrics = await request(server.url, { path: '/metrics' });
    expect(metricValue(metrics.text, 'lstmkit_predict_queue_rejections_total')).toBe(
      refused.length,
    );
  });
});

/** Sends `head`, then one byte of body every `everyMs` until the server closes the socket. */
function trickle(url: string, head: string, everyMs: number) {
  const { hostname, port } = new URL(url);
  return new Promise<{ raw: string; closedAfterMs: number }>((resolve) => {
    const started = performance.now();
    const socket: Socket = connect(Number(port), hostname, () => socket.write(head));
    const timer = setInterval(() => socket.writable && socket.write('x'), everyMs);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      resolve({
        raw: Buffer.concat(chunks).toString('utf8'),
        closedAfterMs: performance.now() - started,
      });
    });
  });
}

describe('slow clients and connection limits', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({
      modelDir,
      port: 0,
      headersTimeoutMs: 400,
      requestTimeoutMs: 800,
      maxConnections: 30,
    });
  });
  afterAll(() => server?.close());

  it('closes 20 connections trickling a body with 408 in the error shape', async () => {
    const head =
      'POST /predict HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"input": "';
    const results = await Promise.all(
      Array.from({ length: 20 }, () => trickle(server.url, head, 50)),
    );
    for (const { raw } of results) {
      const res = parseRawResponse(raw);
      expect(res.status).toBe(408);
      expect(res.json.error.code).toBe('REQUEST_TIMEOUT');
    }
    // Still serving, and the refusals are counted.
    const metrics = await request(server.url, { path: '/metrics' });
    expect(metrics.text).toContain('lstmkit_http_client_errors_total{code="REQUEST_TIMEOUT"} 20\n');
  }, 15_000);

  it('closes a connection trickling its headers', async () => {
    const { raw } = await trickle(server.url, 'GET /health HTTP/1.1\r\nX-Slow: ', 50);
    expect(parseRawResponse(raw).json.error.code).toBe('REQUEST_TIMEOUT');
  }, 15_000);

  it('closes connections beyond maxConnections at once, and counts them', async () => {
    const { hostname, port } = new URL(server.url);
    const open = (): Promise<Socket> =>
      new Promise((resolve) => {
        const socket = connect(Number(port), hostname, () => resolve(socket));
        socket.on('error', () => {});
      });
    const held = await Promise.all(Array.from({ length: 30 }, open));
    // Lets the server accept them before the one over the cap arrives.
    await request(server.url, { path: '/health' }).catch(() => undefined);
    const extra = await open();
    const closed = await new Promise<boolean>((resolve) => {
      extra.on('close', () => resolve(true));
      extra.write('GET /health HTTP/1.1\r\nHost: t\r\n\r\n');
    });
    expect(closed).toBe(true);
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const metrics = await request(server.url, { path: '/metrics' });
    expect(metricValue(metrics.text, 'lstmkit_http_dropped_connections_total')).toBeGreaterThan(0);
  });
});

describe("requests Node's HTTP parser refuses", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ modelDir, port: 0 });
  });
  afterAll(() => server?.close());

  it.each([
    [
      'a bad Content-Length',
      'POST /predict HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 1x\r\n\r\n{}',
      400,
      'INVALID_REQUEST',
      'not valid HTTP/1.1',
    ],
    [
      'chunked and a Content-Length',
      'POST /predict HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
      400,
      'INVALID_REQUEST',
      'not valid HTTP/1.1',
    ],
    ['the HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 400, 'INVALID_REQUEST', 'HTTP/2'],
    [
      'oversized headers',
      `GET /health HTTP/1.1\r\nHost: t\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
      'HEADERS_TOO_LARGE',
      'headers are too large',
    ],
    [
      'no Host header',
      'GET /health HTTP/1.1\r\n\r\n',
      400,
      'INVALID_REQUEST',
      'must have a Host header',
    ],
  ])('%s is answered in the error shape', async (_name, bytes, status, code, message) => {
    const res = parseRawResponse(await rawExchange(server.url, bytes));
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json).toEqual({ error: { code, message: expect.stringContaining(message) } });
  });

  it('HTTP/1.0 needs no Host', async () => {
    const raw = await rawExchange(server.url, 'GET /health HTTP/1.0\r\n\r\n');
    expect(parseRawResponse(raw).json).toEqual({ status: 'ok' });
  });
});
