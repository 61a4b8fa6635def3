import { Classifier } from '@lstmkit/model';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { jsonRequest, request } from '../__fixtures__/http.js';
import { specErrors } from '../__fixtures__/open-inference-spec.js';
import { makeRepository } from '../__fixtures__/repository.js';
import { type RunningServer, startServer } from '../start-server.js';

const bundleDir = inject('bundleDir');
const otherBundleDir = inject('otherBundleDir');
const texts = ['the film was great', 'this was awful', 'boring plot really'];
const limits = { maxItems: 4, maxTextLength: 40 };

let v1: Classifier;
let v2: Classifier;
let repository: Awaited<ReturnType<typeof makeRepository>>;
let server: RunningServer;
let url: string;

beforeAll(async () => {
  [v1, v2] = await Promise.all([Classifier.load(bundleDir), Classifier.load(otherBundleDir)]);
  // sentiment serves versions 1 and 2 (2 is the latest) and is the default model (first by name).
  repository = await makeRepository({
    sentiment: { 1: bundleDir, 2: otherBundleDir },
    tiny: { 1: bundleDir },
  });
  server = await startServer({
    modelsDir: repository.dir,
    modelVersions: 2,
    pollIntervalMs: 0,
    port: 0,
    ...limits,
  });
  url = server.url;
});

afterAll(async () => {
  await server?.close();
  await repository?.remove();
  v1?.dispose();
  v2?.dispose();
});

const probabilities = (model: Classifier, list: string[]) =>
  model.predict(list).map((p) => p.probabilities);

/** Sends a request and checks request and response against the Open Inference Protocol. */
async function v2Call(method: 'GET' | 'POST', path: string, body?: unknown) {
  if (body !== undefined) expect(specErrors('request', method, path, 0, body)).toEqual([]);
  const res =
    body === undefined
      ? await request(url, { method, path })
      : await jsonRequest(url, method, path, body);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(specErrors('response', method, path, res.status, res.json)).toEqual([]);
  return res;
}

const inferRequest = (data: unknown[], extra: object = {}) => ({
  id: 'req-7',
  inputs: [{ name: 'text', shape: [data.length], datatype: 'BYTES', data }],
  ...extra,
});

describe('Open Inference Protocol (KServe v2)', () => {
  it('health, server metadata and model readiness', async () => {
    expect((await v2Call('GET', '/v2/health/live')).json).toEqual({ live: true });
    expect((await v2Call('GET', '/v2/health/ready')).json).toEqual({ ready: true });
    const metadata = await v2Call('GET', '/v2');
    expect(metadata.json).toMatchObject({ name: 'lstmkit', extensions: [] });
    expect((await v2Call('GET', '/v2/')).json).toEqual(metadata.json);
    const ready = await v2Call('GET', '/v2/models/sentiment/ready');
    expect(ready.json).toEqual({ name: 'sentiment', ready: true });
    expect((await v2Call('GET', '/v2/models/sentiment/versions/1/ready')).status).toBe(200);
    const notLoaded = await request(url, { path: '/v2/models/sentiment/versions/9/ready' });
    expect(notLoaded.status).toBe(503);
    expect(notLoaded.json).toEqual({ name: 'sentiment', ready: false });
  });

  it('model metadata lists versions, the BYTES input and the outputs', async () => {
    const res = await v2Call('GET', '/v2/models/sentiment');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      name: 'sentiment',
      versions: ['2', '1'],
      platform: 'tensorflowjs_layers',
      inputs: [{ name: 'text', datatype: 'BYTES', shape: [-1] }],
      outputs: [
        { name: 'probabilities', datatype: 'FP32', shape: [-1, 2] },
        { name: 'label', datatype: 'BYTES', shape: [-1] },
        { name: 'known_tokens', datatype: 'INT32', shape: [-1] },
      ],
      properties: { labels: 'negative,positive', version: '2' },
    });
    const pinned = await v2Call('GET', '/v2/models/sentiment/versions/1');
    expect(pinned.json.properties.version).toBe('1');
  });

  it('infer answers FP32 probabilities [n, classes], BYTES labels and INT32 known_tokens, from the latest version', async () => {
    const res = await v2Call('POST', '/v2/models/sentiment/infer', inferRequest(texts));
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      model_name: 'sentiment',
      model_version: '2',
      id: 'req-7',
      outputs: [
        {
          name: 'probabilities',
          datatype: 'FP32',
          shape: [3, 2],
          data: probabilities(v2, texts).flat(),
        },
        {
          name: 'label',
          datatype: 'BYTES',
          shape: [3],
          data: v2.predict(texts).map((p) => p.label),
        },
        {
          name: 'known_tokens',
          datatype: 'INT32',
          shape: [3],
          data: v2.predict(texts).map((p) => p.knownTokens),
        },
      ],
    });
  });

  it('infer with a pinned version, a [n, 1] shape, nested data and one requested output', async () => {
    const res = await v2Call('POST', '/v2/models/sentiment/versions/1/infer', {
      inputs: [{ name: 'text', shape: [2, 1], datatype: 'BYTES', data: [[texts[0]], [texts[1]]] }],
      outputs: [{ name: 'probabilities' }],
    });
    expect(res.status).toBe(200);
    expect(res.json.model_version).toBe('1');
    expect(res.json.outputs).toEqual([
      {
        name: 'probabilities',
        datatype: 'FP32',
        shape: [2, 2],
        data: probabilities(v1, texts.slice(0, 2)).flat(),
      },
    ]);
    expect(res.json.id).toBeUndefined();
  });

  it.each([
    [
      'an unknown model',
      '/v2/models/nope/infer',
      inferRequest(['a']),
      404,
      'no model named "nope"',
    ],
    [
      'an unloaded version',
      '/v2/models/sentiment/versions/7/infer',
      inferRequest(['a']),
      404,
      'no loaded version "7"',
    ],
    [
      'a non-BYTES input',
      '/v2/models/sentiment/infer',
      { inputs: [{ name: 'text', shape: [1], datatype: 'FP32', data: [1] }] },
      400,
      'datatype must be "BYTES"',
    ],
    [
      'a shape that does not match the data',
      '/v2/models/sentiment/infer',
      { inputs: [{ name: 'text', shape: [3], datatype: 'BYTES', data: ['a'] }] },
      400,
      'has 1 elements but shape [3] needs 3',
    ],
    [
      'two inputs',
      '/v2/models/sentiment/infer',
      { inputs: [inferRequest(['a']).inputs[0], inferRequest(['b']).inputs[0]] },
      400,
      'exactly one input tensor',
    ],
    [
      'an empty text',
      '/v2/models/sentiment/infer',
      inferRequest([' ']),
      400,
      'inputs[0].data[0] must be a non-empty string',
    ],
    [
      'too many texts',
      '/v2/models/sentiment/infer',
      inferRequest(['a', 'b', 'c', 'd', 'e']),
      413,
      'at most 4 per request',
    ],
    [
      'a text over the limit',
      '/v2/models/sentiment/infer',
      inferRequest(['x'.repeat(41)]),
      413,
      'longer than 40 characters',
    ],
    [
      'an unknown output',
      '/v2/models/sentiment/infer',
      inferRequest(['a'], { outputs: [{ name: 'logits' }] }),
      400,
      'outputs[0].name must be one of probabilities, label, known_tokens',
    ],
  ])('errors as {"error": message}: %s', async (_case, path, body, status, message) => {
    const res = await jsonRequest(url, 'POST', path, body);
    expect(res.status).toBe(status);
    expect(res.json.error).toContain(message);
    expect(typeof res.json.code).toBe('string');
    expect(specErrors('response', 'POST', path, res.status, res.json)).toEqual([]);
  });

  it('malformed JSON and metadata of an unknown model answer the flat error shape too', async () => {
    const bad = await request(url, {
      method: 'POST',
      path: '/v2/models/sentiment/infer',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({ error: 'body is not valid JSON', code: 'INVALID_JSON' });
    const missing = await v2Call('GET', '/v2/models/nope');
    expect(missing.status).toBe(404);
  });
});

describe('TensorFlow Serving REST', () => {
  it(':predict with instances answers predictions, with inputs answers outputs', async () => {
    const rows = await jsonRequest(url, 'POST', '/v1/models/sentiment:predict', {
      instances: texts,
    });
    expect(rows.status).toBe(200);
    expect(rows.json).toEqual({ predictions: probabilities(v2, texts) });
    const named = await jsonRequest(url, 'POST', '/v1/models/sentiment/versions/1:predict', {
      signature_name: 'serving_default',
      instances: texts.map((text) => ({ text })),
    });
    expect(named.json).toEqual({ predictions: probabilities(v1, texts) });
    const columns = await jsonRequest(url, 'POST', '/v1/models/sentiment:predict', {
      inputs: { text: texts },
    });
    expect(columns.json).toEqual({ outputs: probabilities(v2, texts) });
    const one = await jsonRequest(url, 'POST', '/v1/models/sentiment:predict', {
      inputs: texts[0],
    });
    expect(one.json).toEqual({ outputs: probabilities(v2, texts.slice(0, 1)) });
  });

  it(':classify answers label/score pairs per example', async () => {
    const res = await jsonRequest(url, 'POST', '/v1/models/sentiment:classify', {
      examples: texts.map((text) => ({ text })),
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      result: probabilities(v2, texts).map(([negative, positive]) => [
        ['negative', negative],
        ['positive', positive],
      ]),
    });
  });

  it('model status and metadata', async () => {
    const status = await request(url, { path: '/v1/models/sentiment' });
    expect(status.json).toEqual({
      model_version_status: [
        { version: '2', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } },
        { version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } },
      ],
    });
    const one = await request(url, { path: '/v1/models/sentiment/versions/1' });
    expect(one.json.model_version_status.map((s: { version: string }) => s.version)).toEqual(['1']);
    const metadata = await request(url, { path: '/v1/models/sentiment/versions/1/metadata' });
    expect(metadata.json.model_spec).toEqual({
      name: 'sentiment',
      signature_name: '',
      version: '1',
    });
    const signature = metadata.json.metadata.signature_def.signature_def.serving_default;
    expect(signature.inputs.text.dtype).toBe('DT_STRING');
    expect(
      signature.outputs.probabilities.tensor_shape.dim.map((d: { size: string }) => d.size),
    ).toEqual(['-1', '2']);
    expect(signature.method_name).toBe('tensorflow/serving/predict');
  });

  it.each([
    ['POST', '/v1/models/nope:predict', { instances: ['a'] }, 404, 'no model named "nope"'],
    [
      'POST',
      '/v1/models/sentiment/versions/5:predict',
      { instances: ['a'] },
      404,
      'no loaded version "5"',
    ],
    [
      'POST',
      '/v1/models/sentiment:predict',
      { instances: ['a'], inputs: ['a'] },
      400,
      'not both or neither',
    ],
    [
      'POST',
      '/v1/models/sentiment:predict',
      { signature_name: 'x', instances: ['a'] },
      400,
      'serving signature name "x" not found',
    ],
    [
      'POST',
      '/v1/models/sentiment:predict',
      { instances: [3] },
      400,
      'instances[0] must be a non-empty string',
    ],
    ['POST', '/v1/models/sentiment:regress', { examples: [{ text: 'a' }] }, 400, 'is a classifier'],
    [
      'POST',
      '/v1/models/sentiment:classify',
      { examples: [{ words: 'a' }] },
      400,
      'examples[0] has no "text" feature',
    ],
    [
      'POST',
      '/v1/models/sentiment:explode',
      { instances: ['a'] },
      404,
      'no TensorFlow Serving route',
    ],
    ['GET', '/v1/models/nope', undefined, 404, 'no model named "nope"'],
  ])('%s %s errors as {"error": message}', async (method, path, body, status, message) => {
    const res =
      body === undefined
        ? await request(url, { path })
        : await jsonRequest(url, method, path, body);
    expect(res.status).toBe(status);
    expect(res.json.error).toContain(message);
  });
});

describe('Hugging Face text classification', () => {
  const ranked = (model: Classifier, text: string) =>
    model
      .predict([text])[0]!
      .probabilities.map((score, i) => ({ label: model.bundle.labelNames[i]!, score }))
      .sort((a, b) => b.score - a.score);

  it('POST /models/{name} answers one [{label, score}] list per input, most probable first', async () => {
    const one = await jsonRequest(url, 'POST', '/models/sentiment', { inputs: texts[0] });
    expect(one.status).toBe(200);
    expect(one.json).toEqual([ranked(v2, texts[0]!)]);
    const many = await jsonRequest(url, 'POST', '/models/sentiment', {
      inputs: texts,
      parameters: { top_k: 1 },
    });
    expect(many.json).toEqual(texts.map((t) => ranked(v2, t).slice(0, 1)));
  });

  it('POST / serves the default model', async () => {
    const res = await jsonRequest(url, 'POST', '/', {
      inputs: [texts[1]],
      parameters: { top_k: null },
    });
    expect(res.json).toEqual([ranked(v2, texts[1]!)]);
    // The default model is also /predict's.
    const own = await jsonRequest(url, 'POST', '/predict', { input: texts[1] });
    expect(own.json.scores).toEqual(ranked(v2, texts[1]!));
  });

  it.each([
    [{ text: 'a' }, 'body must be {"inputs"'],
    [{ inputs: 'a', parameters: { top_k: -1 } }, 'parameters.top_k must be a positive integer'],
    [
      { inputs: 'a', parameters: { function_to_apply: 'none' } },
      'function_to_apply "none" is not supported',
    ],
    [{ inputs: 'a', parameters: { temperature: 2 } }, 'unknown parameter "temperature"'],
  ])('rejects %j', async (body, message) => {
    const res = await jsonRequest(url, 'POST', '/models/sentiment', body);
    expect(res.status).toBe(400);
    expect(res.json.error).toContain(message);
  });
});

describe('operations across protocols', () => {
  it('metrics carry the model and version that answered', async () => {
    await jsonRequest(
      url,
      'POST',
      '/v2/models/sentiment/versions/1/infer',
      inferRequest(['a fun film']),
    );
    const metrics = (await request(url, { path: '/metrics' })).text;
    expect(metrics).toMatch(
      /^lstmkit_http_requests_total\{method="POST",route="\/v2\/models\/:name\/versions\/:version\/infer",status="200",model="sentiment",version="1"\} \d+$/m,
    );
    expect(metrics).toMatch(
      /^lstmkit_predict_batch_size_count\{model="sentiment",version="2"\} \d+$/m,
    );
    expect(metrics).toContain('lstmkit_model_version_available{model="sentiment",version="2"} 1\n');
    expect(metrics).toContain('lstmkit_model_version_available{model="tiny",version="1"} 1\n');
  });

  it('echoes a sane x-request-id and generates one otherwise', async () => {
    const given = await request(url, {
      path: '/v2/health/live',
      headers: { 'x-request-id': 'abc-123' },
    });
    expect(given.headers['x-request-id']).toBe('abc-123');
    const generated = await request(url, { path: '/v2/health/live' });
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const hostile = await request(url, { path: '/health', headers: { 'x-request-id': 'a b\tc' } });
    expect(hostile.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('POST /admin/reload is absent without a token', async () => {
    expect((await jsonRequest(url, 'POST', '/admin/reload', {})).status).toBe(404);
  });
});
