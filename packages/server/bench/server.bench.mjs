// Load test of the prediction server: `pnpm bench` (after `pnpm build`). Runs the real app
// (apps/server) in a child process on 127.0.0.1 with a textbook-shaped model (embedding 50, two
// LSTM(100), length 50; random weights cost the same as trained ones) and drives it with
// autocannon for a few seconds per scenario, with and without micro-batching, through the
// standard protocols, and through a hot reload (a new model version copied into the repository
// halfway through the run). Writes bench-results/server.json and prints a Markdown table.
import { cp, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { buildBundle, sentences, startApp } from './bench-app.mjs';

const DURATION_S = Number(process.env.BENCH_DURATION ?? 5);
// A regular expression selecting scenarios by name, e.g. BENCH_ONLY='32 connections'.
const only = new RegExp(process.env.BENCH_ONLY ?? '');
const resultsDir = fileURLToPath(new URL('../bench-results/', import.meta.url));

const post = (path, body) => ({
  method: 'POST',
  path,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

function requestsFor(method) {
  return sentences.map((input) => {
    if (method === 'GET')
      return { method: 'GET', path: `/predict?input=${encodeURIComponent(input)}` };
    if (method === 'KSERVE') {
      return post('/v2/models/textbook/infer', {
        inputs: [{ name: 'text', shape: [1], datatype: 'BYTES', data: [input] }],
      });
    }
    return post('/predict', { input });
  });
}

function load(url, { connections, method }) {
  return autocannon({ url, connections, duration: DURATION_S, requests: requestsFor(method) });
}

/** Sum of a metric's samples over every model/version label set. */
const sumOf = (metrics, name) =>
  [...metrics.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+(?:\\.\\d+)?)$`, 'gm'))].reduce(
    (total, match) => total + Number(match[1]),
    0,
  );

const scenarios = [
  {
    name: 'POST 1 sentence, 32 connections, batching off',
    connections: 32,
    method: 'POST',
    env: { LSTMKIT_MAX_BATCH_SIZE: '1' },
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
    env: { LSTMKIT_MAX_WAIT_MS: '2' },
  },
  {
    name: 'GET ?input=, 32 connections, batching on',
    connections: 32,
    method: 'GET',
    env: {},
  },
  {
    name: 'KServe v2 infer 1 sentence, 32 connections, batching on',
    connections: 32,
    method: 'KSERVE',
    repository: true,
    env: {},
  },
  {
    name: 'KServe v2 infer 1 sentence, 64 connections, new version hot-reloaded mid-run',
    connections: 64,
    method: 'KSERVE',
    repository: true,
    reload: true,
    env: { LSTMKIT_POLL_INTERVAL_MS: '200' },
  },
  {
    name: 'POST 1 sentence, 1 connection, batching off',
    connections: 1,
    method: 'POST',
    env: { LSTMKIT_MAX_BATCH_SIZE: '1' },
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
    const repository = join(scratch, `repository-${results.length}`);
    if (scenario.repository)
      await cp(modelDir, join(repository, 'textbook', '1'), { recursive: true });
    const source = scenario.repository
      ? { LSTMKIT_MODELS_DIR: repository }
      : { LSTMKIT_MODEL_DIR: modelDir };
    const server = await startApp({ ...source, ...scenario.env });
    try {
      const running = load(server.url, scenario);
      let reload;
      if (scenario.reload) {
        await new Promise((resolve) => setTimeout(resolve, (DURATION_S * 1000) / 2));
        // Copied beside, then renamed in, as a deployment should: scans never see half a copy.
        await cp(modelDir, join(repository, 'textbook', '.incoming'), { recursive: true });
        await rename(join(repository, 'textbook', '.incoming'), join(repository, 'textbook', '2'));
        reload = { at: Date.now() };
      }
      const r = await running;
      const metrics = await fetch(`${server.url}/metrics`).then((res) => res.text());
      const count = sumOf(metrics, 'lstmkit_predict_batch_size_count');
      const sum = sumOf(metrics, 'lstmkit_predict_batch_size_sum');
      if (reload) {
        const status = await fetch(`${server.url}/v1/models/textbook`).then((res) => res.json());
        reload.servingAfter = status.model_version_status.map((v) => `${v.version} ${v.state}`);
        reload.requestsByVersion = Object.fromEntries(
          [
            ...metrics.matchAll(
              /^lstmkit_http_requests_total\{[^}]*status="200",model="textbook",version="(\d+)"\} (\d+)$/gm,
            ),
          ].map((m) => [m[1], Number(m[2])]),
        );
        delete reload.at;
      }
      results.push({
        scenario: scenario.name,
        connections: scenario.connections,
        env: scenario.env,
        requestsPerSecond: r.requests.average,
        latencyMs: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max },
        requests: r.requests.total,
        errors: r.errors + r.timeouts + r.non2xx,
        meanBatchSize: count === 0 ? 0 : sum / count,
        rssMiB: sumOf(metrics, 'process_resident_memory_bytes') / 2 ** 20,
        ...(reload && { reload }),
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

console.log('| scenario | req/s | p50 ms | p99 ms | errors | mean batch | RSS MiB |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const r of results) {
  console.log(
    `| ${r.scenario} | ${r.requestsPerSecond.toFixed(0)} | ${r.latencyMs.p50} | ${r.latencyMs.p99} | ${r.errors} | ${r.meanBatchSize.toFixed(1)} | ${r.rssMiB.toFixed(0)} |`,
  );
}
for (const r of results.filter((x) => x.reload)) {
  console.log(`\n${r.scenario}: ${JSON.stringify(r.reload)}`);
}
console.log(`\nwritten ${join(resultsDir, 'server.json')}`);
