// Reliability under load (after `pnpm build`): `node bench/reliability.bench.mjs`. Runs the real
// app (apps/server) on 127.0.0.1 with the textbook-shaped model of server.bench.mjs, bounded in
// requests and time, and measures what the README's reliability section quotes:
//  - /health latency (new connection each probe, as a liveness probe) under a 256-text backlog;
//  - SIGTERM under load (single process and 2 workers): outcome of every request sent before it;
//  - slow clients: connections trickling a body, and 600 connections holding unfinished 1 MB
//    bodies (connection cap, RSS).
// Writes bench-results/reliability.json and prints the figures.
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBundle, sentences, startApp } from './bench-app.mjs';

const resultsDir = fileURLToPath(new URL('../bench-results/', import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
// A regular expression selecting parts by name: health, burst, continuous, slow.
const only = new RegExp(process.env.BENCH_ONLY ?? '');
const bigBody = JSON.stringify({
  input: Array.from({ length: 256 }, (_, i) => sentences[i % sentences.length]),
});

function post(url, body, agent) {
  return new Promise((resolve) => {
    const req = request(
      `${url}/predict`,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(String(res.statusCode)));
      },
    );
    req.on('error', (error) => resolve(error.code ?? 'error'));
    req.end(body);
  });
}

function timedGet(url, path) {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(`${url}${path}`, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - started }));
    });
    req.on('error', (error) => resolve({ status: error.code, ms: performance.now() - started }));
    req.end();
  });
}

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const tally = (outcomes) => {
  const counts = {};
  for (const outcome of outcomes) counts[outcome] = (counts[outcome] ?? 0) + 1;
  return counts;
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const rssMb = (pid) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

/** 64 keep-alive clients each sending 256-text POSTs back to back for `seconds`; /health probed every 100 ms. */
async function healthUnderLoad(modelDir, seconds) {
  const server = await startApp({ LSTMKIT_MODEL_DIR: modelDir, LSTMKIT_MAX_QUEUED_TEXTS: '20000' });
  try {
    const agent = new Agent({ keepAlive: true, maxSockets: 64 });
    const until = performance.now() + seconds * 1000;
    const outcomes = [];
    const client = async () => {
      while (performance.now() < until) outcomes.push(await post(server.url, bigBody, agent));
    };
    const clients = Array.from({ length: 64 }, client);
    const health = [];
    const ready = [];
    await sleep(500);
    while (performance.now() < until) {
      health.push(await timedGet(server.url, '/health'));
      ready.push(await timedGet(server.url, '/ready'));
      await sleep(100);
    }
    await Promise.all(clients);
    agent.destroy();
    const ms = (probes) => probes.map((p) => p.ms);
    return {
      seconds,
      predictOutcomes: tally(outcomes),
      textsPerSecond: ((outcomes.filter((o) => o === '200').length * 256) / seconds).toFixed(0),
      healthMs: {
        probes: health.length,
        failed: health.filter((p) => p.status !== 200).length,
        p50: quantile(ms(health), 0.5),
        p99: quantile(ms(health), 0.99),
        max: Math.max(...ms(health)),
      },
      readyMs: {
        probes: ready.length,
        failed: ready.filter((p) => p.status !== 200).length,
        p50: quantile(ms(ready), 0.5),
        max: Math.max(...ms(ready)),
      },
    };
  } finally {
    await server.stop();
  }
}

/** 64 POSTs of 256 texts (one connection each), SIGTERM after `afterMs`. */
async function shutdownBurst(modelDir, workers, afterMs) {
  const server = await startApp({
    LSTMKIT_MODEL_DIR: modelDir,
    LSTMKIT_MAX_QUEUED_TEXTS: '20000',
    LSTMKIT_WORKERS: String(workers),
    // The burst is 16,384 texts: on a loaded 2-core machine more than the default 10 s.
    LSTMKIT_DRAIN_TIMEOUT_MS: '30000',
  });
  const outcomes = Array.from({ length: 64 }, () => post(server.url, bigBody, false));
  await sleep(afterMs);
  const signalled = performance.now();
  const exit = server.signal('SIGTERM');
  const results = await Promise.all(outcomes);
  const code = await exit;
  return { outcomes: tally(results), exitCode: code, exitAfterMs: performance.now() - signalled };
}

/** 32 keep-alive clients sending 1-sentence POSTs; SIGTERM after 1.5 s. */
async function shutdownContinuous(modelDir, workers) {
  const server = await startApp({ LSTMKIT_MODEL_DIR: modelDir, LSTMKIT_WORKERS: String(workers) });
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  let signalled = false;
  const before = [];
  const after = [];
  const client = async (i) => {
    for (let n = 0; n < 10_000; n++) {
      const wasSignalled = signalled;
      const outcome = await post(
        server.url,
        JSON.stringify({ input: sentences[(i + n) % 64] }),
        agent,
      );
      (wasSignalled ? after : before).push(outcome);
      if (wasSignalled && outcome !== '200') return;
    }
  };
  const clients = Array.from({ length: 32 }, (_, i) => client(i));
  await sleep(1500);
  signalled = true;
  const code = await server.signal('SIGTERM');
  await Promise.all(clients);
  agent.destroy();
  return { sentBeforeSignal: tally(before), sentAfterSignal: tally(after), exitCode: code };
}

/** Connections that send headers, then one body byte every `everyMs` until the server closes them. */
function trickle(url, count, everyMs) {
  const { hostname, port } = new URL(url);
  return Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise((resolve) => {
          const started = performance.now();
          let response = '';
          const socket = connect(Number(port), hostname, () =>
            socket.write(
              'POST /predict HTTP/1.1\r\nHost: b\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{"input": "',
            ),
          );
          const timer = setInterval(() => socket.writable && socket.write('x'), everyMs);
          socket.on('data', (chunk) => {
            response += chunk;
          });
          socket.on('error', () => {});
          socket.on('close', () => {
            clearInterval(timer);
            resolve({
              status: Number(response.split(' ')[1]) || 'closed without answer',
              ms: performance.now() - started,
            });
          });
        }),
    ),
  );
}

/** Opens `count` connections, each sending all but the last byte of a 1 MB body, and holds them. */
function holdBodies(url, count) {
  const { hostname, port } = new URL(url);
  const body = Buffer.alloc(1_048_000, 'a');
  return Array.from(
    { length: count },
    () =>
      new Promise((resolve) => {
        let response = '';
        const socket = connect(Number(port), hostname, () => {
          socket.write(
            `POST /predict HTTP/1.1\r\nHost: b\r\nContent-Type: application/json\r\nContent-Length: ${body.length + 1}\r\n\r\n`,
          );
          socket.write(body);
        });
        socket.on('data', (chunk) => {
          response += chunk;
        });
        socket.on('error', () => {});
        socket.on('close', () => resolve(Number(response.split(' ')[1]) || 'dropped'));
      }),
  );
}

async function slowClients(modelDir) {
  // Short timeouts so the run stays bounded; the defaults are 10 s and 30 s.
  const env = {
    LSTMKIT_MODEL_DIR: modelDir,
    LSTMKIT_HEADERS_TIMEOUT_MS: '2000',
    LSTMKIT_REQUEST_TIMEOUT_MS: '5000',
  };
  const server = await startApp(env);
  try {
    const trickled = await trickle(server.url, 20, 100);
    const rssStart = rssMb(server.pid);
    const held = holdBodies(server.url, 600);
    let rssPeak = rssStart;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, rssMb(server.pid));
    }, 100);
    const heldOutcomes = await Promise.all(held);
    clearInterval(sampler);
    await sleep(1000);
    const health = await timedGet(server.url, '/health');
    return {
      settings: { headersTimeoutMs: 2000, requestTimeoutMs: 5000, maxConnections: 256 },
      trickling20: {
        outcomes: tally(trickled.map((t) => t.status)),
        closedAfterMs: {
          min: Math.min(...trickled.map((t) => t.ms)),
          max: Math.max(...trickled.map((t) => t.ms)),
        },
      },
      holding600x1MB: {
        outcomes: tally(heldOutcomes),
        rssMb: { before: rssStart, peak: rssPeak, after: rssMb(server.pid) },
        healthAfter: health,
      },
    };
  } finally {
    await server.stop();
  }
}

const scratch = await mkdtemp(join(tmpdir(), 'lstmkit-server-reliability-'));
const modelDir = join(scratch, 'textbook');
const report = { date: new Date().toISOString(), node: process.version, cpus: cpus().length };
try {
  await buildBundle(modelDir);
  if (only.test('health')) {
    report.healthUnderLoad = await healthUnderLoad(
      modelDir,
      Number(process.env.BENCH_DURATION ?? 8),
    );
    console.log('health under load', JSON.stringify(report.healthUnderLoad));
  }
  report.shutdownBurst = [];
  for (let round = 0; round < (only.test('burst') ? ROUNDS : 0); round++) {
    for (const workers of [1, 2]) {
      const result = {
        workers,
        round,
        ...(await shutdownBurst(modelDir, workers, 200 + 100 * round)),
      };
      report.shutdownBurst.push(result);
      console.log('shutdown burst', JSON.stringify(result));
    }
  }
  report.shutdownContinuous = [];
  for (const workers of only.test('continuous') ? [1, 2] : []) {
    const result = { workers, ...(await shutdownContinuous(modelDir, workers)) };
    report.shutdownContinuous.push(result);
    console.log('shutdown continuous', JSON.stringify(result));
  }
  if (only.test('slow')) {
    report.slowClients = await slowClients(modelDir);
    console.log('slow clients', JSON.stringify(report.slowClients));
  }
} finally {
  await rm(scratch, { recursive: true, force: true });
}
await mkdir(resultsDir, { recursive: true });
report.app = process.env.BENCH_APP ?? 'apps/server';
await writeFile(
  join(resultsDir, process.env.BENCH_OUT ?? 'reliability.json'),
  `${JSON.stringify(report, null, 2)}\n`,
);
console.log(`\nwritten ${join(resultsDir, 'reliability.json')}`);
