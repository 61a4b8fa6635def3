import { cp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Classifier } from '@lstmkit/model';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { jsonRequest, request } from './__fixtures__/http.js';
import { makeRepository } from './__fixtures__/repository.js';
import { type RunningServer, startServer } from './start-server.js';

const bundleDir = inject('bundleDir');
const otherBundleDir = inject('otherBundleDir');
const text = 'the film was great';

let v1: Classifier;
let v2: Classifier;
beforeAll(async () => {
  [v1, v2] = await Promise.all([Classifier.load(bundleDir), Classifier.load(otherBundleDir)]);
});
afterAll(() => {
  v1?.dispose();
  v2?.dispose();
});

/** Log lines of a server, parsed. */
function logSink() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: { level: 'info', stream } };
}

const until = async (condition: () => Promise<boolean>, what: string, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

const infer = (url: string, path = '/v2/models/m/infer') =>
  jsonRequest(url, 'POST', path, {
    inputs: [{ name: 'text', shape: [1], datatype: 'BYTES', data: [text] }],
  });

describe('hot reload from the polling watcher', () => {
  let repository: Awaited<ReturnType<typeof makeRepository>>;
  let server: RunningServer;
  const log = logSink();

  beforeAll(async () => {
    repository = await makeRepository({ m: { 1: bundleDir } });
    server = await startServer({
      modelsDir: repository.dir,
      pollIntervalMs: 50,
      port: 0,
      logger: log.logger,
    });
  });
  afterAll(async () => {
    await server?.close();
    await repository?.remove();
  });

  it('swaps in a new version under 64 concurrent clients with zero failed requests', async () => {
    const expected = {
      '1': v1.predict([text])[0]!.probabilities,
      '2': v2.predict([text])[0]!.probabilities,
    };
    const outcomes = {
      ok: 0,
      failed: [] as string[],
      byVersion: { '1': 0, '2': 0 } as Record<string, number>,
    };
    let stop = false;
    let firstV2At = 0;
    const client = async () => {
      while (!stop) {
        const res = await infer(server.url).catch((error: Error) => ({
          status: 0,
          json: { error: error.message },
        }));
        const version = res.json?.model_version as '1' | '2' | undefined;
        // Each answer must be the complete output of exactly one version: no half-loaded model.
        if (
          res.status !== 200 ||
          version === undefined ||
          JSON.stringify(res.json.outputs[0].data) !== JSON.stringify(expected[version])
        ) {
          outcomes.failed.push(`${res.status} ${JSON.stringify(res.json)}`);
          continue;
        }
        outcomes.ok += 1;
        outcomes.byVersion[version]! += 1;
        if (version === '2' && firstV2At === 0) firstV2At = Date.now();
      }
    };
    const clients = Array.from({ length: 64 }, client);
    await until(async () => outcomes.ok >= 200, 'load to build up');
    const addedAt = Date.now();
    await repository.add('m', 2, otherBundleDir);
    await until(async () => firstV2At > 0, 'version 2 to serve');
    // Keep the load on while version 1 drains and is disposed.
    await until(
      async () => log.lines.some((l) => l.msg === 'model version unloading'),
      'version 1 to retire',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    stop = true;
    await Promise.all(clients);

    console.info(
      `reload under load: ${outcomes.ok} requests from 64 clients, ${outcomes.failed.length} failed, ` +
        `${outcomes.byVersion['1']} by v1, ${outcomes.byVersion['2']} by v2, v2 first served ${firstV2At - addedAt} ms after it appeared`,
    );
    expect(outcomes.failed).toEqual([]);
    expect(outcomes.byVersion['1']).toBeGreaterThan(0);
    expect(outcomes.byVersion['2']).toBeGreaterThan(0);
    expect(
      log.lines.find((l) => l.msg === 'model version loaded' && l.version === 2),
    ).toMatchObject({ model: 'm' });
    const status = await request(server.url, { path: '/v1/models/m' });
    expect(status.json.model_version_status).toEqual([
      { version: '2', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } },
    ]);
  });

  it('reports a broken version (status, log line, metric) while the old one keeps serving', async () => {
    const broken = join(repository.dir, '.broken');
    await cp(otherBundleDir, broken, { recursive: true });
    await writeFile(join(broken, 'preprocess.json'), '{"formatVersion": 1}\n');
    await repository.add('m', 3, broken);
    await until(async () => log.lines.some((l) => l.version === 3), 'version 3 to be tried');
    const line = log.lines.find((l) => l.version === 3)!;
    expect(line).toMatchObject({
      level: 50,
      model: 'm',
      msg: 'model version failed to load; the previous version keeps serving',
    });
    expect(JSON.stringify(line.err)).toContain('preprocess.json');

    const status = await request(server.url, { path: '/v1/models/m' });
    expect(status.json.model_version_status[0]).toMatchObject({
      version: '3',
      state: 'END',
      status: { error_code: 'UNKNOWN', error_message: expect.stringContaining('preprocess.json') },
    });
    const metrics = (await request(server.url, { path: '/metrics' })).text;
    expect(metrics).toContain('lstmkit_model_version_failed{model="m",version="3"} 1\n');
    expect(metrics).toContain(
      'lstmkit_model_loads_total{model="m",version="3",result="failure"} 1\n',
    );
    const res = await infer(server.url);
    expect(res.status).toBe(200);
    expect(res.json.model_version).toBe('2');
    // Not retried every poll: it is tried again only when its files change.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(log.lines.filter((l) => l.version === 3)).toHaveLength(1);
  });

  it('unloads a model removed from the repository', async () => {
    await rm(join(repository.dir, 'm'), { recursive: true });
    await until(async () => (await infer(server.url)).status === 404, 'the model to be unloaded');
    expect((await request(server.url, { path: '/v2/health/ready' })).status).toBe(503);
    expect(log.lines.some((l) => l.msg === 'model removed from the repository; unloading')).toBe(
      true,
    );
  });
});

describe('POST /admin/reload', () => {
  it('needs the token, reloads at once, and leaks no tensors across 20 reloads', async () => {
    const repository = await makeRepository({ m: { 1: bundleDir } });
    const token = 'test-token-0123';
    const server = await startServer({
      modelsDir: repository.dir,
      pollIntervalMs: 0,
      port: 0,
      adminToken: token,
    });
    const reload = (auth?: string) =>
      request(server.url, {
        method: 'POST',
        path: '/admin/reload',
        ...(auth !== undefined && { headers: { authorization: auth } }),
      });
    try {
      expect((await reload()).status).toBe(401);
      const wrong = await reload('Bearer nope');
      expect(wrong.status).toBe(401);
      expect(wrong.json.error.code).toBe('UNAUTHORIZED');

      await infer(server.url);
      const tensors = tf.memory().numTensors;
      for (let version = 2; version <= 21; version++) {
        await repository.add('m', version, version % 2 ? bundleDir : otherBundleDir);
        const res = await reload(`Bearer ${token}`);
        expect(res.status).toBe(200);
        expect(res.json.models).toEqual([
          { name: 'm', versions: [{ version, state: 'AVAILABLE' }] },
        ]);
        expect((await infer(server.url)).json.model_version).toBe(String(version));
      }
      // 20 versions loaded, warmed up, served and disposed: the same live tensors as before.
      expect(tf.memory().numTensors).toBe(tensors);
    } finally {
      await server.close();
      await repository.remove();
    }
  });
});

describe('model repository startup', () => {
  it('fails fast when the repository is not a directory', async () => {
    await expect(startServer({ modelsDir: '/nonexistent/models', port: 0 })).rejects.toMatchObject({
      code: 'MODEL_REPOSITORY_NOT_FOUND',
    });
  });

  it('keeps the newest modelVersions versions and serves the latest by default', async () => {
    const repository = await makeRepository({
      m: { 1: bundleDir, 2: otherBundleDir, 10: bundleDir },
    });
    const server = await startServer({
      modelsDir: repository.dir,
      modelVersions: 2,
      pollIntervalMs: 0,
      port: 0,
    });
    try {
      const metadata = await request(server.url, { path: '/v2/models/m' });
      // Numeric order: 10 is newer than 2.
      expect(metadata.json.versions).toEqual(['10', '2']);
      expect((await infer(server.url)).json.model_version).toBe('10');
      expect((await infer(server.url, '/v2/models/m/versions/2/infer')).json.model_version).toBe(
        '2',
      );
      expect((await infer(server.url, '/v2/models/m/versions/1/infer')).status).toBe(404);
    } finally {
      await server.close();
      await repository.remove();
    }
  });
});
