// Shared by the server benchmarks: a textbook-shaped bundle and the real app in a child process.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createModel, initBackend, modelPresets, saveBundle } from '@lstmkit/model';
import { createRng, pipelinePresets, TextPipeline } from '@lstmkit/preprocess';

// BENCH_APP runs another build of the app, e.g. a checkout of main, for a before/after run.
const app =
  process.env.BENCH_APP ??
  fileURLToPath(new URL('../../../apps/server/index.mjs', import.meta.url));

const words =
  'the a film movie was is really very not good great bad awful plot acting story fun boring love hate music ending characters script and but i it this'.split(
    ' ',
  );
const rng = createRng(1);
const sentence = () =>
  Array.from(
    { length: 4 + Math.floor(rng() * 16) },
    () => words[Math.floor(rng() * words.length)],
  ).join(' ');
export const sentences = Array.from({ length: 64 }, sentence);

export async function buildBundle(dir) {
  await initBackend({ log: () => {} });
  const { model: preset } = modelPresets.textbook;
  const pipeline = TextPipeline.fit(sentences, pipelinePresets.textbook);
  const modelConfig = { ...preset, vocabSize: pipeline.vocabulary.size, numClasses: 2, seed: 1 };
  const model = createModel(modelConfig);
  await saveBundle(dir, { model, pipeline, labelNames: ['negative', 'positive'], modelConfig });
  model.dispose();
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * Starts apps/server with `env`; resolves once it logs that it listens (in cluster mode, once
 * every worker does: a worker answers /ready before the primary has its signal handlers).
 */
export async function startApp(env) {
  const port = await freePort();
  const child = spawn(process.execPath, [app], {
    env: {
      ...process.env,
      LSTMKIT_HOST: '127.0.0.1',
      LSTMKIT_PORT: String(port),
      LSTMKIT_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const clustered = Number(env.LSTMKIT_WORKERS ?? 1) > 1;
  const listening = clustered ? '"msg":"cluster listening"' : '"msg":"Server listening at';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not listen in 60 s')), 60_000);
    let buffered = '';
    const onData = (chunk) => {
      buffered += chunk;
      if (!buffered.includes(listening)) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.stdout.resume();
      resolve();
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
  });
  const signal = (name) =>
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve(child.exitCode)
      : new Promise((resolve) => child.once('exit', resolve).kill(name));
  return { url: `http://127.0.0.1:${port}`, pid: child.pid, signal, stop: () => signal('SIGTERM') };
}
