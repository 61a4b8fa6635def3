import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { jsonRequest, request } from '../src/__fixtures__/http.js';
import { makeRepository } from '../src/__fixtures__/repository.js';

const modelDir = inject('bundleDir');
const repo = fileURLToPath(new URL('../../../', import.meta.url));
// Inside packages/server so the bundle resolves fastify, tfjs and the wasm files from there.
const outdir = fileURLToPath(
  new URL('../node_modules/.cache/lstmkit-server-app/', import.meta.url),
);
const app = `${outdir}app.js`;

/**
 * Runs the real app (apps/server/index.mjs) against the current sources: esbuild bundles it with
 * the @lstmkit packages taken from src/, as the vitest aliases do, so no stale dist is tested.
 */
beforeAll(async () => {
  await build({
    entryPoints: {
      app: `${repo}apps/server/index.mjs`,
      'cluster-worker': `${repo}packages/server/src/cluster-worker.ts`,
    },
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
    plugins: [
      {
        name: 'workspace-src',
        setup(b) {
          b.onResolve({ filter: /^@lstmkit\/[a-z]+$/ }, (args) => ({
            path: `${repo}packages/${args.path.slice('@lstmkit/'.length)}/src/index.ts`,
          }));
          b.onResolve({ filter: /^[^./]/ }, (args) => ({ path: args.path, external: true }));
        },
      },
    ],
  });
});

interface Child {
  process: ChildProcess;
  lines: string[];
  stderr: () => string;
  exit: Promise<number | null>;
  /** Resolves with the first log line whose msg matches. */
  waitFor: (msg: RegExp) => Promise<Record<string, unknown>>;
}

function startApp(env: Record<string, string>): Child {
  const child = spawn(process.execPath, [app], {
    env: {
      PATH: process.env.PATH,
      LSTMKIT_HOST: '127.0.0.1',
      LSTMKIT_PORT: '0',
      LSTMKIT_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  const waiters: { msg: RegExp; resolve: (line: Record<string, unknown>) => void }[] = [];
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const complete = buffered.split('\n');
    buffered = complete.pop()!;
    for (const line of complete) {
      lines.push(line);
      const parsed = JSON.parse(line) as Record<string, unknown>;
      for (const waiter of waiters.filter((w) => w.msg.test(String(parsed.msg)))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(parsed);
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    process: child,
    lines,
    stderr: () => stderr,
    exit,
    waitFor: (msg) =>
      new Promise((resolve, reject) => {
        waiters.push({ msg, resolve });
        exit.then((code) =>
          reject(new Error(`app exited (${code}) before logging ${msg}: ${stderr}`)),
        );
      }),
  };
}

const urlOf = (line: Record<string, unknown>) =>
  /http:\/\/[^\s"]+/.exec(String(line.url ?? line.msg))![0];

const words = ['great', 'awful', 'the', 'film', 'plot', 'fun', 'dull', 'acting'];
const bigInput = Array.from({ length: 256 }, (_, i) => `${words[i % 8]} ${words[(i * 5) % 8]}`);

/**
 * 64 POSTs of 256 texts, all sent, the first answered, then SIGTERM while the rest are queued
 * or in flight: every one must get its 200, and the process must exit 0.
 */
async function shutdownUnderLoad(child: Child, url: string) {
  const outcomes = Array.from({ length: 64 }, () =>
    jsonRequest(url, 'POST', '/predict', { input: bigInput }).then(
      (res) => (res.status === 200 && res.json.labels.length === 256 ? 'ok' : `${res.status}`),
      (error: NodeJS.ErrnoException) => error.code ?? 'error',
    ),
  );
  await Promise.race(outcomes);
  child.process.kill('SIGTERM');
  const results = await Promise.all(outcomes);
  const counts: Record<string, number> = {};
  for (const result of results) counts[result] = (counts[result] ?? 0) + 1;
  expect(counts).toEqual({ ok: 64 });
  expect(await child.exit).toBe(0);
}

describe('apps/server as a process', () => {
  it('finishes the in-flight request on SIGTERM, then exits 0', async () => {
    const child = startApp({
      LSTMKIT_MODEL_DIR: modelDir,
      LSTMKIT_MAX_BATCH_SIZE: '64',
      LSTMKIT_MAX_WAIT_MS: '3000',
    });
    const url = urlOf(await child.waitFor(/^Server listening at/));
    // Waits up to 3 s in the batcher for company: in flight when the signal lands.
    const pending = request(url, {
      method: 'POST',
      path: '/predict',
      headers: { 'content-type': 'application/json', 'x-request-id': 'client-id-42' },
      body: JSON.stringify({ input: 'great fun' }),
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.process.kill('SIGTERM');
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.json.label).toBe('positive');
    expect(res.headers['x-request-id']).toBe('client-id-42');
    expect(await child.exit).toBe(0);
    expect(child.stderr()).not.toContain('DeprecationWarning');
    await expect(request(url, { path: '/health' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    // Structured request logs from pino.
    const completed = child.lines
      .map((l) => JSON.parse(l))
      .find((l) => l.msg === 'request completed');
    expect(completed).toMatchObject({
      level: 30,
      method: 'POST',
      url: '/predict',
      statusCode: 200,
      requestId: 'client-id-42',
      model: 'tiny',
      version: '1',
    });
    expect(typeof completed.responseTime).toBe('number');
  });

  it('with WORKERS=2 serves from two processes on one port and merges their metrics', async () => {
    // The pre-0.2 names still work, with a warning.
    const child = startApp({ MODEL_DIR: modelDir, WORKERS: '2' });
    const url = urlOf(await child.waitFor(/^cluster listening/));
    try {
      const inputs = Array.from({ length: 12 }, (_, i) => (i % 2 ? 'awful dull' : 'great fun'));
      const responses = await Promise.all(
        inputs.map((input) => jsonRequest(url, 'POST', '/predict', { input })),
      );
      expect(responses.map((r) => r.json.label)).toEqual(
        inputs.map((t) => (t === 'great fun' ? 'positive' : 'negative')),
      );
      const metrics = (await request(url, { path: '/metrics' })).text;
      expect(metrics).toContain(
        'lstmkit_http_requests_total{method="POST",route="/predict",status="200",model="tiny",version="1"} 12\n',
      );
      const pids = new Set(
        child.lines
          .map((l) => JSON.parse(l))
          .filter((l) => l.msg === 'request completed')
          .map((l) => l.pid),
      );
      // The primary hands connections to workers round-robin: both served.
      expect(pids.size).toBe(2);
    } finally {
      child.process.kill('SIGTERM');
    }
    expect(await child.exit).toBe(0);
    expect(child.stderr()).toContain(
      'DeprecationWarning: MODEL_DIR is deprecated; set LSTMKIT_MODEL_DIR instead',
    );
    expect(child.stderr()).toContain('WORKERS is deprecated; set LSTMKIT_WORKERS instead');
  });

  it('starts with the Kubernetes Deployment environment over the image defaults', async () => {
    const models = await makeRepository({ sentiment: { 1: modelDir } });
    // biome-ignore lint/suspicious/noExplicitAny: the manifest is read field by field
    const deployment: any = parse(readFileSync(`${repo}deploy/kubernetes/deployment.yaml`, 'utf8'));
    const env: Record<string, string> = { LSTMKIT_MODEL_DIR: '/model' }; // the image's ENV
    for (const e of deployment.spec.template.spec.containers[0].env) {
      if (typeof e.value === 'string') env[e.name] = e.value;
    }
    // Loopback and a free port here; the repository where the volume would be.
    Object.assign(env, {
      LSTMKIT_MODELS_DIR: models.dir,
      LSTMKIT_HOST: '127.0.0.1',
      LSTMKIT_PORT: '0',
    });
    const child = startApp(env);
    try {
      const url = urlOf(await child.waitFor(/^Server listening at/));
      expect((await request(url, { path: '/v2/health/live' })).status).toBe(200);
      expect((await request(url, { path: '/v2/health/ready' })).json).toEqual({ ready: true });
      expect((await request(url, { path: '/v2/models/sentiment/ready' })).status).toBe(200);
    } finally {
      child.process.kill('SIGTERM');
      await child.exit;
      await models.remove();
    }
  });

  it('SIGTERM under load: every request already sent is answered, then exit 0', async () => {
    const child = startApp({ LSTMKIT_MODEL_DIR: modelDir, LSTMKIT_MAX_QUEUED_TEXTS: '20000' });
    const url = urlOf(await child.waitFor(/^Server listening at/));
    await shutdownUnderLoad(child, url);
  });

  it('SIGTERM under load with WORKERS=2: the same in every worker', async () => {
    const child = startApp({
      LSTMKIT_MODEL_DIR: modelDir,
      LSTMKIT_MAX_QUEUED_TEXTS: '20000',
      LSTMKIT_WORKERS: '2',
    });
    const url = urlOf(await child.waitFor(/^cluster listening/));
    await shutdownUnderLoad(child, url);
  });

  it('a restarted worker keeps the merged counters monotonic; its exit is logged once per key', async () => {
    const child = startApp({ LSTMKIT_MODEL_DIR: modelDir, LSTMKIT_WORKERS: '2' });
    const url = urlOf(await child.waitFor(/^cluster listening/));
    const posts =
      'lstmkit_http_requests_total{method="POST",route="/predict",status="200",model="tiny",version="1"}';
    try {
      await Promise.all(
        Array.from({ length: 12 }, () => jsonRequest(url, 'POST', '/predict', { input: 'fun' })),
      );
      expect((await request(url, { path: '/metrics' })).text).toContain(`${posts} 12\n`);
      const workerPid = child.lines
        .map((l) => JSON.parse(l))
        .find((l) => l.msg === 'request completed' && l.pid !== child.process.pid).pid;
      process.kill(workerPid, 'SIGKILL');
      const exitLine = await child.waitFor(/^worker exited; restarting/);
      expect(exitLine).toMatchObject({ pid: child.process.pid, workerPid, signal: 'SIGKILL' });
      const raw = child.lines.find((l) => l.includes('worker exited; restarting'))!;
      expect(raw.match(/"pid":/g)).toHaveLength(1);
      await child.waitFor(/^worker restarted/);
      // Before the fix the killed worker's 6 or so requests vanished from the sum.
      expect((await request(url, { path: '/metrics' })).text).toContain(`${posts} 12\n`);
    } finally {
      child.process.kill('SIGTERM');
    }
    expect(await child.exit).toBe(0);
  });

  it('exits 1 with the error code and a hint when the bundle is missing', async () => {
    const child = startApp({ LSTMKIT_MODEL_DIR: '/nonexistent/bundle' });
    expect(await child.exit).toBe(1);
    expect(child.stderr()).toContain(
      'error BUNDLE_NOT_FOUND: No model bundle directory at /nonexistent/bundle',
    );
    expect(child.stderr()).toContain('hint: ');
  });
});
