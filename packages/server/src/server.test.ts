import { gzipSync } from 'node:zlib';
import { Classifier } from '@lstmkit/model';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { jsonRequest, request } from './__fixtures__/http.js';
import { type RunningServer, startServer } from './start-server.js';

const modelDir = inject('bundleDir');
const limits = { maxItems: 4, maxTextLength: 40, bodyLimit: 2048 };
const texts = [
  'the film was great',
  'this was awful',
  'i love the acting',
  'boring plot really',
  'unknown words only here',
  'a wonderful story',
  'it was dull',
  'great great great',
];

let reference: Classifier;
let server: RunningServer;
let url: string;

const unbatched = (text: string) => reference.predict([text])[0]!;
/** Every class with its probability, most probable first. */
const scoresOf = (text: string) =>
  unbatched(text)
    .probabilities.map((score, i) => ({ label: reference.bundle.labelNames[i]!, score }))
    .sort((a, b) => b.score - a.score);

beforeAll(async () => {
  reference = await Classifier.load(modelDir);
  server = await startServer({ modelDir, port: 0, maxBatchSize: 8, maxWaitMs: 20, ...limits });
  url = server.url;
});

afterAll(async () => {
  await server?.close();
  reference?.dispose();
});

describe('predict', () => {
  it('GET with a JSON body answers the textbook shape with the probability', async () => {
    const res = await jsonRequest(url, 'GET', '/predict', { input: texts[0] });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      response: unbatched(texts[0]!).probability,
      knownTokens: unbatched(texts[0]!).knownTokens,
    });
    expect(res.json.response).toBeGreaterThan(0);
    expect(res.json.response).toBeLessThan(1);
  });

  it('GET with ?input= answers the same', async () => {
    const res = await request(url, { path: `/predict?input=${encodeURIComponent(texts[1]!)}` });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      response: unbatched(texts[1]!).probability,
      knownTokens: unbatched(texts[1]!).knownTokens,
    });
  });

  it('POST one text answers the probability and the label', async () => {
    const res = await jsonRequest(url, 'POST', '/predict', { input: texts[2] });
    const expected = unbatched(texts[2]!);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      response: expected.probability,
      label: expected.label,
      scores: scoresOf(texts[2]!),
      knownTokens: expected.knownTokens,
    });
    expect(res.json.scores.map((s: { label: string }) => s.label).sort()).toEqual([
      'negative',
      'positive',
    ]);
  });

  it('POST top_k keeps the k most probable classes', async () => {
    const res = await jsonRequest(url, 'POST', '/predict', { input: texts[2], top_k: 1 });
    expect(res.status).toBe(200);
    expect(res.json.scores).toEqual(scoresOf(texts[2]!).slice(0, 1));
    expect(res.json.scores[0].label).toBe(res.json.label);
    const bad = await jsonRequest(url, 'POST', '/predict', { input: texts[2], top_k: 0 });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toBe('top_k must be a positive integer, got 0');
  });

  it('POST an array answers one probability and label per text', async () => {
    const batch = texts.slice(0, 4);
    const res = await jsonRequest(url, 'POST', '/predict', { input: batch });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      response: batch.map((t) => unbatched(t).probability),
      labels: batch.map((t) => unbatched(t).label),
      scores: batch.map(scoresOf),
      knownTokens: batch.map((t) => unbatched(t).knownTokens),
    });
  });

  it('the trained fixture separates its classes', async () => {
    const res = await jsonRequest(url, 'POST', '/predict', {
      input: ['great wonderful love', 'awful terrible hate'],
    });
    expect(res.json.labels).toEqual(['positive', 'negative']);
  });

  it('micro-batches concurrent requests; each result equals its unbatched prediction', async () => {
    const before = await request(url, { path: '/metrics' });
    const batchesBefore = Number(
      /lstmkit_predict_batch_size_count\{model="tiny",version="1"\} (\d+)/.exec(before.text)?.[1] ??
        0,
    );
    const sentences = Array.from({ length: 32 }, (_, i) => texts[i % texts.length]!);
    const responses = await Promise.all(
      sentences.map((input) => jsonRequest(url, 'POST', '/predict', { input })),
    );
    for (const [i, res] of responses.entries()) {
      const expected = unbatched(sentences[i]!);
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({
        response: expected.probability,
        label: expected.label,
        knownTokens: expected.knownTokens,
      });
    }
    const after = await request(url, { path: '/metrics' });
    const batches =
      Number(
        /lstmkit_predict_batch_size_count\{model="tiny",version="1"\} (\d+)/.exec(after.text)?.[1],
      ) - batchesBefore;
    // 32 requests at up to 8 per batch: at least 4 forward passes, far fewer than 32.
    expect(batches).toBeGreaterThanOrEqual(4);
    expect(batches).toBeLessThan(32);
  });

  it('one rule for texts with nothing to classify: 200 with knownTokens 0', async () => {
    const nothing = ['  \n ', '👍👍', '\u0000', '\u200b', '!!!', '\ufffd'];
    const res = await jsonRequest(url, 'POST', '/predict', { input: [...nothing.slice(0, 3)] });
    expect(res.status).toBe(200);
    expect(res.json.knownTokens).toEqual([0, 0, 0]);
    for (const input of nothing) {
      const one = await jsonRequest(url, 'POST', '/predict', { input });
      expect(one.status).toBe(200);
      expect(one.json.knownTokens).toBe(0);
    }
    const some = await jsonRequest(url, 'GET', '/predict', { input: 'great zzzunseen' });
    expect(some.json.knownTokens).toBe(1);
    // Invalid UTF-8 in the body decodes to U+FFFD: the same answer.
    const bytes = Buffer.concat([
      Buffer.from('{"input": "'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}'),
    ]);
    const invalid = await request(url, {
      method: 'POST',
      path: '/predict',
      headers: { 'content-type': 'application/json' },
      body: bytes,
    });
    expect(invalid.status).toBe(200);
    expect(invalid.json.knownTokens).toBe(0);
  });

  it('decodes a gzip body; refuses other encodings and charsets with 415', async () => {
    const body = JSON.stringify({ input: texts[2] });
    const gzip = await request(url, {
      method: 'POST',
      path: '/predict',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(body),
    });
    expect(gzip.status).toBe(200);
    expect(gzip.json.response).toBe(unbatched(texts[2]!).probability);
    const refused: Record<string, string>[] = [
      { 'content-type': 'application/json', 'content-encoding': 'br' },
      { 'content-type': 'application/json; charset=iso-8859-1' },
      { 'content-type': 'application/json; charset="UTF-16"' },
    ];
    for (const headers of refused) {
      const res = await request(url, { method: 'POST', path: '/predict', headers, body });
      expect(res.status).toBe(415);
      expect(res.json.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
    const utf8 = await request(url, {
      method: 'POST',
      path: '/predict',
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      body,
    });
    expect(utf8.status).toBe(200);
    const broken = await request(url, {
      method: 'POST',
      path: '/predict',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: 'not gzip at all',
    });
    expect(broken.status).toBe(400);
    expect(broken.json.error.message).toContain('not valid gzip');
    // The decoded size counts against bodyLimit (2048 here): no zip bombs.
    const bomb = await request(url, {
      method: 'POST',
      path: '/predict',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(JSON.stringify({ input: 'a '.repeat(5000) })),
    });
    expect(bomb.status).toBe(413);
  });

  it('accepts any Unicode text', async () => {
    const res = await jsonRequest(url, 'POST', '/predict', {
      input: 'très bien 👍 \u0085 \u0000 end',
    });
    expect(res.status).toBe(200);
    expect(res.json.label).toMatch(/^(positive|negative)$/);
  });
});

describe('bad input', () => {
  const tooLong = 'x'.repeat(limits.maxTextLength + 1);
  const json = { 'content-type': 'application/json' };
  it.each([
    ['POST {}', 'POST', json, '{}', 400, 'INVALID_INPUT', 'body has no "input" field'],
    [
      'POST a number',
      'POST',
      json,
      '{"input": 5}',
      400,
      'INVALID_INPUT',
      'input must be a non-empty string',
    ],
    ['POST an empty string', 'POST', json, '{"input": ""}', 400, 'INVALID_INPUT', 'non-empty'],
    ['POST an empty array', 'POST', json, '{"input": []}', 400, 'INVALID_INPUT', 'array of 1 to 4'],
    [
      'POST a non-string item',
      'POST',
      json,
      '{"input": ["ok", 3]}',
      400,
      'INVALID_INPUT',
      'non-empty',
    ],
    ['POST null', 'POST', json, 'null', 400, 'INVALID_INPUT', 'body must be a JSON object'],
    [
      'POST a JSON string',
      'POST',
      json,
      '"hello"',
      400,
      'INVALID_INPUT',
      'body must be a JSON object',
    ],
    [
      'POST an extra field',
      'POST',
      json,
      '{"input": "a", "x": 1}',
      400,
      'INVALID_INPUT',
      'unknown field "x"',
    ],
    ['POST malformed JSON', 'POST', json, '{"input": ', 400, 'INVALID_JSON', 'not valid JSON'],
    ['POST an empty body', 'POST', json, '', 400, 'INVALID_JSON', 'body is empty'],
    [
      'POST __proto__',
      'POST',
      json,
      '{"input": "a", "__proto__": {"x": 1}}',
      400,
      'INVALID_JSON',
      'JSON',
    ],
    [
      'POST text/plain',
      'POST',
      { 'content-type': 'text/plain' },
      'hello',
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'application/json',
    ],
    [
      'POST no content type',
      'POST',
      {},
      '{"input": "a"}',
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'application/json',
    ],
    [
      'POST too many items',
      'POST',
      json,
      '{"input": ["a","b","c","d","e"]}',
      413,
      'TOO_MANY_ITEMS',
      'more than 4 texts',
    ],
    [
      'POST a text over the limit',
      'POST',
      json,
      `{"input": "${tooLong}"}`,
      413,
      'TEXT_TOO_LONG',
      'input is longer than 40 characters',
    ],
    [
      'POST an item over the limit',
      'POST',
      json,
      `{"input": ["a", "${tooLong}"]}`,
      413,
      'TEXT_TOO_LONG',
      'input.1 is longer than 40',
    ],
    [
      'POST a body over the limit',
      'POST',
      json,
      `{"input": "${'y'.repeat(3000)}"}`,
      413,
      'PAYLOAD_TOO_LARGE',
      'larger than 2048 bytes',
    ],
    ['GET without input', 'GET', {}, undefined, 400, 'INVALID_INPUT', 'missing input'],
    [
      'GET an array body',
      'GET',
      json,
      '{"input": ["a"]}',
      400,
      'INVALID_INPUT',
      'input must be a non-empty string',
    ],
    ['GET malformed JSON', 'GET', json, '{', 400, 'INVALID_JSON', 'not valid JSON'],
  ] as const)('%s', async (_name, method, headers, body, status, code, message) => {
    const res = await request(url, { method, path: '/predict', headers, body });
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json.error.code).toBe(code);
    expect(res.json.error.message).toContain(message);
  });

  it.each([
    ['/predict?input=', 400, 'INVALID_INPUT'],
    ['/predict?input=a&input=b', 400, 'INVALID_INPUT'],
    [`/predict?input=${'z'.repeat(41)}`, 413, 'TEXT_TOO_LONG'],
  ])('GET %s -> %i', async (path, status, code) => {
    const res = await request(url, { path });
    expect(res.status).toBe(status);
    expect(res.json.error.code).toBe(code);
  });

  it('GET with both a body and ?input= is ambiguous', async () => {
    const res = await request(url, {
      path: '/predict?input=a',
      headers: { 'content-type': 'application/json' },
      body: '{"input": "b"}',
    });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toContain('not both');
  });

  it.each([
    ['GET', '/nope'],
    ['DELETE', '/predict'],
  ])('%s %s -> 404 JSON', async (method, path) => {
    const res = await request(url, { method, path });
    expect(res.status).toBe(404);
    expect(res.json).toEqual({
      error: { code: 'NOT_FOUND', message: `no route for ${method} ${path}` },
    });
  });

  it('leaks no tensors over many good and bad requests', async () => {
    const round = () =>
      Promise.all([
        jsonRequest(url, 'POST', '/predict', { input: texts }),
        jsonRequest(url, 'POST', '/predict', { input: texts.slice(0, 4) }),
        jsonRequest(url, 'GET', '/predict', { input: 'fun' }),
        jsonRequest(url, 'POST', '/predict', { input: 42 }),
        request(url, {
          method: 'POST',
          path: '/predict',
          headers: { 'content-type': 'application/json' },
          body: '{',
        }),
      ]);
    await round();
    const tensors = tf.memory().numTensors;
    // The same tfjs engine as the model's: its weights are live tensors.
    expect(tensors).toBeGreaterThan(0);
    for (let i = 0; i < 20; i++) await round();
    expect(tf.memory().numTensors).toBe(tensors);
  });
});

describe('operations endpoints', () => {
  it('GET /health and /ready', async () => {
    expect((await request(url, { path: '/health' })).json).toEqual({ status: 'ok' });
    expect((await request(url, { path: '/ready' })).json).toEqual({ status: 'ready' });
  });

  it('GET /model describes the bundle', async () => {
    const res = await request(url, { path: '/model' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      name: 'tiny',
      labels: ['negative', 'positive'],
      sequenceLength: 12,
      vocabularySize: reference.bundle.pipeline.vocabulary.size,
      model: { arch: 'lstm', hiddenSize: 8, numClasses: 2 },
      metrics: reference.bundle.metrics,
      bundle: { formatVersion: reference.bundle.manifest.formatVersion },
      versions: { tfjs: tf.version.tfjs, backend: tf.getBackend() },
      limits,
      batching: { maxBatchSize: 8, maxWaitMs: 20 },
    });
  });

  it('GET /openapi.json is an OpenAPI 3.1 document of the routes', async () => {
    const res = await request(url, { path: '/openapi.json' });
    expect(res.json.openapi).toBe('3.1.0');
    expect(Object.keys(res.json.paths).slice(0, 6)).toEqual([
      '/predict',
      '/health',
      '/ready',
      '/model',
      '/metrics',
      '/openapi.json',
    ]);
    expect(Object.keys(res.json.paths)).toEqual(
      expect.arrayContaining([
        '/v2/models/{name}/versions/{version}/infer',
        '/v1/models/{name}:predict',
        '/v1/models/{name}/versions/{version}:classify',
        '/v1/models/{name}/metadata',
        '/models/{name}',
        '/',
        '/admin/reload',
      ]),
    );
    // Every documented operation is a route (the admin route exists only with a token).
    for (const [path, item] of Object.entries(res.json.paths)) {
      for (const method of Object.keys(item as object)) {
        if (path === '/admin/reload') continue;
        const concrete = path.replace('{name}', 'tiny').replace('{version}', '1');
        const answer = await request(url, {
          method: method.toUpperCase(),
          path: concrete,
          headers: { 'content-type': 'application/json' },
          body: '{}',
        });
        const error = answer.json?.error;
        const message = typeof error === 'string' ? error : (error?.message ?? '');
        expect(message, `${method} ${path}`).not.toMatch(/^no (TensorFlow Serving )?route for/);
      }
    }
    expect(
      res.json.paths['/predict'].post.requestBody.content['application/json'].schema.properties
        .input.oneOf[1].maxItems,
    ).toBe(4);
  });

  it('GET /metrics is Prometheus text with requests, latency and batch sizes', async () => {
    await jsonRequest(url, 'POST', '/predict', { input: 'fun' });
    await request(url, { path: '/nowhere/at/all' });
    const res = await request(url, { path: '/metrics' });
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.text).toMatch(
      /^lstmkit_http_requests_total\{method="POST",route="\/predict",status="200",model="tiny",version="1"\} \d+$/m,
    );
    expect(res.text).toMatch(
      /^lstmkit_http_requests_total\{method="GET",route="unmatched",status="404",model="",version=""\} \d+$/m,
    );
    expect(res.text).toMatch(
      /^lstmkit_http_request_duration_seconds_bucket\{route="\/predict",model="tiny",version="1",le="\+Inf"\} \d+$/m,
    );
    expect(res.text).toMatch(
      /^lstmkit_predict_batch_size_bucket\{model="tiny",version="1",le="8"\} \d+$/m,
    );
    expect(Number(/^lstmkit_tfjs_tensors (\d+)$/m.exec(res.text)?.[1])).toBeGreaterThan(0);
  });
});
