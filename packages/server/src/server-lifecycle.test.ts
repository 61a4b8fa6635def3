import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Classifier } from '@lstmkit/model';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { jsonRequest, request } from './__fixtures__/http.js';
import { createServer } from './create-server.js';
import { startServer } from './start-server.js';

const modelDir = inject('bundleDir');
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'lstmkit-server-lifecycle-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('startup', () => {
  it('fails fast when there is no bundle', async () => {
    await expect(createServer({ modelDir: join(scratch, 'missing') })).rejects.toMatchObject({
      code: 'BUNDLE_NOT_FOUND',
    });
  });

  it('fails fast on a corrupt bundle, naming the file', async () => {
    const dir = join(scratch, 'corrupt');
    await cp(modelDir, dir, { recursive: true });
    await writeFile(join(dir, 'preprocess.json'), '{"formatVersion": 1}\n');
    await expect(createServer({ modelDir: dir })).rejects.toMatchObject({
      code: 'BUNDLE_CORRUPT',
      message: expect.stringContaining('preprocess.json'),
    });
  });

  it('refuses a bundle whose weights give NaN, though its manifest hashes match', async () => {
    const dir = join(scratch, 'nan');
    await cp(modelDir, dir, { recursive: true });
    const weights = new Float32Array((await readFile(join(dir, 'weights.bin'))).buffer.slice(0));
    weights.fill(Number.NaN);
    const bytes = new Uint8Array(weights.buffer);
    await writeFile(join(dir, 'weights.bin'), bytes);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    manifest.files['weights.bin'].sha256 = createHash('sha256').update(bytes).digest('hex');
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
    await expect(createServer({ modelDir: dir })).rejects.toMatchObject({
      code: 'BUNDLE_CORRUPT',
      message: expect.stringMatching(/NaN/),
    });
  });

  it('rejects invalid options before loading anything', async () => {
    await expect(createServer({ modelDir, maxBatchSize: 0 })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
    });
  });
});

describe('micro-batching off (maxBatchSize 1)', () => {
  it('runs each request alone with the same results', async () => {
    const server = await startServer({ modelDir, port: 0, maxBatchSize: 1 });
    const reference = await Classifier.load(modelDir);
    try {
      const inputs = ['great fun', 'awful', 'the plot', 'i love it', 'dull film', 'great fun'];
      const responses = await Promise.all(
        inputs.map((input) => jsonRequest(server.url, 'POST', '/predict', { input })),
      );
      expect(responses.map((r) => r.json.response)).toEqual(
        inputs.map((t) => reference.predict([t])[0]!.probability),
      );
      const metrics = (await request(server.url, { path: '/metrics' })).text;
      const labels = 'model="tiny",version="1"';
      expect(metrics).toContain(`lstmkit_predict_batch_size_bucket{${labels},le="1"} 6\n`);
      expect(metrics).toContain(`lstmkit_predict_batch_size_count{${labels}} 6\n`);
    } finally {
      reference.dispose();
      await server.close();
    }
  });
});

describe('CORS', () => {
  it('answers allowed origins only when enabled', async () => {
    const on = await startServer({ modelDir, port: 0, cors: 'https://app.example' });
    const off = await startServer({ modelDir, port: 0 });
    try {
      const headers = { origin: 'https://app.example' };
      const allowed = await request(on.url, { path: '/health', headers });
      expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example');
      const preflight = await request(on.url, {
        method: 'OPTIONS',
        path: '/predict',
        headers: { ...headers, 'access-control-request-method': 'POST' },
      });
      expect(preflight.status).toBe(204);
      const other = await request(on.url, {
        path: '/health',
        headers: { origin: 'https://evil.example' },
      });
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
      const disabled = await request(off.url, { path: '/health', headers });
      expect(disabled.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await Promise.all([on.close(), off.close()]);
    }
  });
});

describe('graceful close', () => {
  it('answers a request already waiting for its batch, then stops listening', async () => {
    const server = await startServer({ modelDir, port: 0, maxBatchSize: 64, maxWaitMs: 5000 });
    const pending = jsonRequest(server.url, 'POST', '/predict', { input: 'great fun' });
    // The request is queued in the batcher (5 s wait); close must flush it, not drop it.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    await server.close();
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.json.label).toBe('positive');
    expect(Date.now() - started).toBeLessThan(4000);
    await expect(request(server.url, { path: '/health' })).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });
});
