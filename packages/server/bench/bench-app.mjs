// Shared by the server benchmarks: a textbook-shaped bundle and the real app in a child process.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createModel, initBackend, modelPresets, saveBundle } from '@lstmkit/model';
import { createRng, pipelinePresets, TextPipeline } from '@lstmkit/preprocess';

const app = fileURLToPath(new URL('../../../apps/server/index.mjs', import.meta.url));

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

export async function startApp(env, appPath = app) {
  const port = await freePort();
  const child = spawn(process.execPath, [appPath], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${stderr}`);
    const ready = await fetch(`${url}/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready)
      return {
        url,
        stop: () => new Promise((resolve) => child.once('exit', resolve).kill('SIGTERM')),
      };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error('server did not become ready in 30 s');
}
