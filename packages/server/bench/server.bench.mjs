// Load test of the prediction server: `pnpm bench` (after `pnpm build`). Runs the real app
// (apps/server) in a child process on 127.0.0.1 with a textbook-shaped model (embedding 50, two
// LSTM(100), length 50; random weights cost the same as trained ones) and drives it with
// autocannon for a few seconds per scenario, with and without micro-batching.
// Writes bench-results/server.json and prints a Markdown table.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { buildBundle, sentences, startApp } from './bench-app.mjs';

const DURATION_S = Number(process.env.BENCH_DURATION ?? 5);
// A regular expression selecting scenarios by name, e.g. BENCH_ONLY='32 connections'.
const only = new RegExp(process.env.BENCH_ONLY ?? '');
const resultsDir = fileURLToPath(new URL('../bench-results/', import.meta.url));

function load(url, { connections, method }) {
  const requests = sentences.map((input) =>
    method === 'GET'
      ? { method: 'GET', path: `/predict?input=${encodeURIComponent(input)}` }
      : {
          method: 'POST',
          path: '/predict',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ input }),
        },
  );
  return autocannon({ url, connections, duration: DURATION_S, requests });
}

const scenarios = [
  {
    name: 'POST 1 sentence, 32 connections, batching off',
    connections: 32,
    method: 'POST',
    env: { MAX_BATCH_SIZE: '1' },
  },
  {
    name: 'POST 1 sentence, 32 connections, batching on (defaults: 32, maxWaitMs 0)',
    connections: 32,
    method: 'POST',
    env: {},
  },
  {
    name: 'POST 1 sentence, 32 connections, batching on, maxWaitMs 2',
    connections: 32,
    method: 'POST',
    env: { MAX_WAIT_MS: '2' },
  },
  {
    name: 'GET ?input=, 32 connections, batching on',
    connections: 32,
    method: 'GET',
    env: {},
  },
  {
    name: 'POST 1 sentence, 1 connection, batching off',
    connections: 1,
    method: 'POST',
    env: { MAX_BATCH_SIZE: '1' },
  },
  {
    name: 'POST 1 sentence, 1 connection, batching on',
    connections: 1,
    method: 'POST',
    env: {},
  },
];

const scratch = await mkdtemp(join(tmpdir(), 'lstmkit-server-bench-'));
const modelDir = join(scratch, 'textbook');
const results = [];
try {
  await buildBundle(modelDir);
  for (const scenario of scenarios.filter((s) => only.test(s.name))) {
    const server = await startApp({ MODEL_DIR: modelDir, ...scenario.env });
    try {
      const r = await load(server.url, scenario);
      const metrics = await fetch(`${server.url}/metrics`).then((res) => res.text());
      const count = Number(/^lstmkit_predict_batch_size_count (\d+)$/m.exec(metrics)?.[1] ?? 0);
      const sum = Number(/^lstmkit_predict_batch_size_sum (\d+)$/m.exec(metrics)?.[1] ?? 0);
      results.push({
        scenario: scenario.name,
        connections: scenario.connections,
        env: scenario.env,
        requestsPerSecond: r.requests.average,
        latencyMs: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max },
        requests: r.requests.total,
        errors: r.errors + r.timeouts + r.non2xx,
        meanBatchSize: count === 0 ? 0 : sum / count,
      });
    } finally {
      await server.stop();
    }
  }
} finally {
  await rm(scratch, { recursive: true, force: true });
}

const report = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  cpu: cpus()[0]?.model,
  durationSeconds: DURATION_S,
  model:
    'textbook preset (embedding 50, LSTM 100 x2, length 50), wasm backend unless LSTMKIT_BACKEND',
  results,
};
await mkdir(resultsDir, { recursive: true });
await writeFile(join(resultsDir, 'server.json'), `${JSON.stringify(report, null, 2)}\n`);

console.log('| scenario | req/s | p50 ms | p99 ms | errors | mean batch |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const r of results) {
  console.log(
    `| ${r.scenario} | ${r.requestsPerSecond.toFixed(0)} | ${r.latencyMs.p50} | ${r.latencyMs.p99} | ${r.errors} | ${r.meanBatchSize.toFixed(1)} |`,
  );
}
console.log(`\nwritten ${join(resultsDir, 'server.json')}`);
