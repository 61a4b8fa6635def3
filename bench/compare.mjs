// `pnpm bench:compare`: lstmkit against PyTorch 2 (and Keras 3) on the same machine, in one
// process tree and in alternating rounds, so load changes on a shared machine hit every system
// alike. Per model (the textbook preset, its BiLSTM variant and the default preset), batch 32,
// UCI sentiment: training sentences/s, single-sentence predict latency, batch-256 throughput.
//
// The references are the project's anchor: ../shared/reference/pytorch_lstm.py --bucket
// --threads 1 (PyTorch's fastest setting for these models on 2 cores: batches of similar
// length, trimmed) and keras_lstm.py --bucket, whose interpreter setup.sh builds (found beside
// $LSTMKIT_DATA_HOME, or $LSTMKIT_REFERENCE_DIR). The default preset's PyTorch counterpart is
// ours (bench/reference/pytorch_default.py) and trains on the trainer's own split and token ids.
// Without Python only lstmkit's side runs, and the output says so.
//
//   pnpm bench:compare [--rounds 2] [--epochs 2] [--no-keras]
// Writes bench-results/compare-<time>.json.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' },
    epochs: { type: 'string', default: '2' },
    'no-keras': { type: 'boolean', default: false },
  },
});
const rounds = Number(args.rounds);
const epochs = String(Number(args.epochs));
const dataHome = process.env.LSTMKIT_DATA_HOME ?? resolve(root, '..', 'shared', 'data');
const referenceDir = process.env.LSTMKIT_REFERENCE_DIR ?? resolve(dataHome, '..', 'reference');
const uciDir = join(dataHome, 'uci-sentiment');
const work = join(tmpdir(), `lstmkit-compare-${process.pid}`);
mkdirSync(work, { recursive: true });
const encodedDefault = join(work, 'default-encoded.json');

function findPython() {
  const setup = join(referenceDir, 'setup.sh');
  if (!existsSync(setup)) return { python: null, why: `no ${setup}` };
  const run = spawnSync('bash', [setup], { encoding: 'utf8', timeout: 600_000 });
  const last = run.stdout.trim().split('\n').pop() ?? '';
  if (run.status !== 0 || !existsSync(last)) {
    return {
      python: null,
      why: `setup.sh failed: ${(run.stderr || run.stdout).trim().split('\n').pop()}`,
    };
  }
  return { python: last, why: null };
}

const env = { ...process.env, LSTMKIT_DATA_HOME: dataHome, OMP_WAIT_POLICY: 'PASSIVE' };
/** Runs a child to completion and returns its stdout's JSON lines. */
function run(command, argv) {
  const out = execFileSync(command, argv, {
    env,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return out
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));
}

/** The same settings for both references: UCI, batch 32, bucketed and trimmed, one thread. */
const REFERENCE_SETTINGS = [
  ...['--data-dir', uciDir, '--batch-size', '32', '--epochs', epochs],
  ...['--threads', '1', '--bucket'],
];

const lstmkitRun = join(root, 'packages', 'trainer', 'bench', 'compare-run.mjs');
const MODELS = [
  { name: 'textbook', lstmkit: ['--preset', 'textbook'], torch: [], keras: [] },
  {
    name: 'textbook-bilstm',
    lstmkit: ['--preset', 'textbook', '--arch', 'bilstm'],
    torch: ['--bidirectional'],
    keras: ['--bidirectional'],
  },
  { name: 'default', lstmkit: ['--preset', 'default'], torch: null, keras: null },
];

/** Which fused LSTM kernel lstmkit ran on (its backend line), for the output. */
let lstmkitKernel = null;

function lstmkit(model, first) {
  const dump = model.name === 'default' && first ? ['--dump-encoded', encodedDefault] : [];
  const r = run(process.execPath, [
    lstmkitRun,
    ...model.lstmkit,
    '--epochs',
    epochs,
    ...dump,
  ]).pop();
  lstmkitKernel = `${r.kernel} kernel, ${r.kernelThreads} thread${r.kernelThreads === 1 ? '' : 's'}`;
  return {
    trainSentencesPerSecond: r.trainSentencesPerSecond,
    predictLatencyMs: r.predictLatencyMs,
    batch256SentencesPerSecond: r.batch256SentencesPerSecond,
    testAccuracy: r.testAccuracy,
  };
}

function pytorch(python, model) {
  if (model.name === 'default') {
    const lines = run(python, [
      join(root, 'bench', 'reference', 'pytorch_default.py'),
      '--encoded',
      encodedDefault,
      '--epochs',
      epochs,
      '--threads',
      '1',
    ]);
    const s = lines.find((l) => l.event === 'summary');
    return {
      trainSentencesPerSecond: s.train_sent_per_s,
      predictLatencyMs: s.predict_latency_ms_median,
      batch256SentencesPerSecond: s.batch256_sent_per_s_from_ids,
      testAccuracy: s.test_acc,
    };
  }
  const lines = run(python, [
    join(referenceDir, 'pytorch_lstm.py'),
    ...REFERENCE_SETTINGS,
    ...model.torch,
  ]);
  const epochRows = lines.filter((l) => l.event === 'epoch');
  const s = lines.find((l) => l.event === 'summary');
  const sentences = epochRows.reduce((n, e) => n + e.sentences, 0);
  const seconds = epochRows.reduce((n, e) => n + e.train_s, 0);
  return {
    trainSentencesPerSecond: sentences / seconds,
    predictLatencyMs: s.predict_latency_ms_median,
    batch256SentencesPerSecond: s.batch256_sent_per_s_end_to_end,
    testAccuracy: s.test_acc,
  };
}

function keras(python, model) {
  const lines = run(python, [
    join(referenceDir, 'keras_lstm.py'),
    ...REFERENCE_SETTINGS,
    ...model.keras,
  ]);
  const s = lines.find((l) => l.summary);
  // Its first epoch traces a graph per batch shape; the last epoch is its steady speed.
  return { trainSentencesPerSecond: s.sent_per_s.at(-1), testAccuracy: s.test_acc };
}

const { python, why } = findPython();
if (python === null) {
  console.log(`No Python references (${why}): measuring lstmkit only; no ratios.`);
}
const samples = Object.fromEntries(
  MODELS.map((m) => [m.name, { lstmkit: [], pytorch: [], keras: [] }]),
);
const loadBefore = loadavg();
for (let round = 0; round < rounds; round++) {
  for (const model of MODELS) {
    const s = samples[model.name];
    // Alternate which system goes first, so neither always runs right after the other.
    const order =
      round % 2 === 0 ? ['lstmkit', 'pytorch', 'keras'] : ['pytorch', 'lstmkit', 'keras'];
    for (const system of order) {
      if (system === 'lstmkit') s.lstmkit.push(lstmkit(model, round === 0));
      else if (python === null) continue;
      else if (system === 'pytorch' && (model.torch !== null || existsSync(encodedDefault))) {
        s.pytorch.push(pytorch(python, model));
      } else if (system === 'keras' && model.keras !== null && !args['no-keras']) {
        s.keras.push(keras(python, model));
      }
    }
    process.stderr.write(
      `round ${round + 1}/${rounds} ${model.name}: ${JSON.stringify({
        lstmkit: s.lstmkit.at(-1),
        pytorch: s.pytorch.at(-1),
        keras: s.keras.at(-1),
      })}\n`,
    );
  }
}

/** The median (mean of the middle two for an even count), or null for none. */
function middle(values) {
  const xs = [...values].sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const k = xs.length >> 1;
  return xs.length % 2 === 1 ? xs[k] : (xs[k - 1] + xs[k]) / 2;
}
const median = (rows, key) => middle(rows.map((r) => r[key]).filter((x) => typeof x === 'number'));
const KEYS = [
  'trainSentencesPerSecond',
  'predictLatencyMs',
  'batch256SentencesPerSecond',
  'testAccuracy',
];
const summary = {};
for (const model of MODELS) {
  const s = samples[model.name];
  const row = {};
  for (const system of ['lstmkit', 'pytorch', 'keras']) {
    if (s[system].length === 0) continue;
    row[system] = Object.fromEntries(KEYS.map((k) => [k, median(s[system], k)]));
  }
  // Ratios per round (alternating rounds share the load), then their median.
  const ratio = (key, invert) => {
    const rs = s.lstmkit
      .map((l, i) =>
        s.pytorch[i] ? (invert ? s.pytorch[i][key] / l[key] : l[key] / s.pytorch[i][key]) : null,
      )
      .filter((x) => x !== null);
    return middle(rs);
  };
  row.lstmkitOverPytorch = {
    trainSentencesPerSecond: ratio('trainSentencesPerSecond', false),
    // > 1: lstmkit's latency is lower (faster)
    predictSpeed: ratio('predictLatencyMs', true),
    batch256SentencesPerSecond: ratio('batch256SentencesPerSecond', false),
  };
  summary[model.name] = row;
}

const fmt = (x, digits = 0) =>
  x == null
    ? '-'
    : x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
console.log(
  `\nlstmkit (${lstmkitKernel}) vs PyTorch ${python ? '2 (bucketed, 1 thread)' : '(not run)'}; medians of ${rounds} alternating rounds, ${epochs} epochs, batch 32, UCI`,
);
console.log('| model | system | train sent/s | predict 1 (ms) | batch 256 sent/s | test acc |');
console.log('|---|---|---|---|---|---|');
for (const [name, row] of Object.entries(summary)) {
  for (const system of ['lstmkit', 'pytorch', 'keras']) {
    const r = row[system];
    if (!r) continue;
    console.log(
      `| ${name} | ${system} | ${fmt(r.trainSentencesPerSecond)} | ${fmt(r.predictLatencyMs, 2)} | ${fmt(r.batch256SentencesPerSecond)} | ${fmt(r.testAccuracy, 3)} |`,
    );
  }
  const q = row.lstmkitOverPytorch;
  if (q.trainSentencesPerSecond !== null) {
    console.log(
      `| ${name} | lstmkit ÷ PyTorch | ${fmt(q.trainSentencesPerSecond, 2)}x | ${fmt(q.predictSpeed, 2)}x speed | ${fmt(q.batch256SentencesPerSecond, 2)}x | |`,
    );
  }
}

const outDir = join(root, 'bench-results');
mkdirSync(outDir, { recursive: true });
const file = join(outDir, `compare-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(
  file,
  `${JSON.stringify(
    {
      benchmark: 'compare',
      date: new Date().toISOString(),
      node: process.version,
      cpu: cpus()[0]?.model,
      cores: cpus().length,
      loadAverage: [loadBefore[0], loadavg()[0]],
      python: python ?? null,
      lstmkitKernel,
      pythonMissing: why,
      rounds,
      epochs: Number(epochs),
      references: {
        pytorch:
          'shared/reference/pytorch_lstm.py --bucket --threads 1; default preset: bench/reference/pytorch_default.py --threads 1',
        keras: 'shared/reference/keras_lstm.py --bucket --threads 1 (last epoch)',
      },
      summary,
      samples,
    },
    null,
    2,
  )}\n`,
);
console.log(`wrote ${file}`);
