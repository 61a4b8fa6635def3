// Throughput of the preprocessing hot path on the built package (run `npx tsup` first):
// clean + tokenize + vocabulary build (TextPipeline.fit) and clean + tokenize + encode
// (encodeBatch), per corpus and preset. Each corpus runs in its own child process so its peak
// RSS is its own. Writes bench-results/preprocess-<timestamp>.json and prints a table.
//
//   pnpm bench                       all corpora
//   node bench/preprocess.bench.mjs --corpus generated-1m --preset default
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng, pipelinePresets, TextPipeline } from '../dist/index.js';
import { loadDataset } from '../dist/node.js';

const here = dirname(fileURLToPath(import.meta.url));
const CORPORA = ['uci-sentiment', 'imdb-50k', 'generated-1m'];
const PRESETS = ['textbook', 'default'];
const GENERATED_SENTENCES = 1_000_000;

function dataHome() {
  if (process.env.LSTMKIT_DATA_HOME) return process.env.LSTMKIT_DATA_HOME;
  const beside = join(here, '../../../../shared/data');
  return existsSync(beside) ? beside : undefined;
}

/** Review-like sentences: Zipf-distributed words, casing, punctuation, digits, some URLs and tags. */
function generateCorpus(count, seed) {
  const rng = createRng(seed);
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const words = Array.from({ length: 20_000 }, (_, i) => {
    let w = '';
    const len = 2 + (i % 9);
    for (let j = 0; j < len; j++) w += letters[Math.floor(rng() * 26)];
    return w;
  });
  words.push("don't", "it's", "can't", 'I', 'The', 'good', 'bad');
  const zipf = () =>
    words[Math.min(words.length - 1, Math.floor(Math.exp(rng() * Math.log(words.length + 1)) - 1))];
  const texts = new Array(count);
  for (let i = 0; i < count; i++) {
    const n = 3 + Math.floor(rng() * 19);
    const parts = [];
    for (let j = 0; j < n; j++) {
      let w = zipf();
      const r = rng();
      if (r < 0.05) w = w[0].toUpperCase() + w.slice(1);
      else if (r < 0.08) w = String(Math.floor(rng() * 2000));
      else if (r < 0.085) w = `https://example.com/${w}`;
      else if (r < 0.09) w = `${w}<br />`;
      parts.push(w);
      if (rng() < 0.12) parts.push(rng() < 0.5 ? ',' : '!');
    }
    texts[i] = `${parts.join(' ')}.`;
  }
  return texts;
}

async function loadTexts(corpus) {
  if (corpus === 'generated-1m') {
    return {
      texts: generateCorpus(GENERATED_SENTENCES, 1),
      loadSeconds: undefined,
      fileBytes: undefined,
    };
  }
  const home = dataHome();
  if (home === undefined) return undefined;
  const t = performance.now();
  const dataset = await loadDataset(corpus, { dataHome: home });
  const loadSeconds = (performance.now() - t) / 1000;
  return { texts: dataset.examples.map((e) => e.text), loadSeconds };
}

async function runOne(corpus, preset) {
  const loaded = await loadTexts(corpus);
  if (loaded === undefined)
    return { corpus, preset, skipped: 'no data home (set LSTMKIT_DATA_HOME)' };
  const { texts, loadSeconds } = loaded;
  let bytes = 0;
  for (const t of texts) bytes += Buffer.byteLength(t);
  const config = pipelinePresets[preset];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const pipeline = TextPipeline.fit(texts, config);
  const t1 = performance.now();
  const batch = pipeline.encodeBatch(texts);
  const t2 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const seconds = (t2 - t0) / 1000;
  return {
    corpus,
    preset,
    sentences: texts.length,
    megabytes: bytes / 1e6,
    vocabularySize: pipeline.vocabulary.size,
    sequenceLength: batch.shape[1],
    loadSeconds,
    fitSeconds: (t1 - t0) / 1000,
    encodeSeconds: (t2 - t1) / 1000,
    totalSeconds: seconds,
    // CPU time is steadier than wall time when other processes share the cores.
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    sentencesPerSecond: texts.length / seconds,
    megabytesPerSecond: bytes / 1e6 / seconds,
    // Peak for the whole child process: loading, the corpus in memory, the vocabulary and the batch.
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  };
}

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};

if (args.includes('--child')) {
  process.stdout.write(JSON.stringify(await runOne(flag('--corpus'), flag('--preset'))));
} else {
  const corpora = flag('--corpus') ? [flag('--corpus')] : CORPORA;
  const presets = flag('--preset') ? [flag('--preset')] : PRESETS;
  const results = [];
  for (const corpus of corpora) {
    for (const preset of presets) {
      const out = execFileSync(
        process.execPath,
        [fileURLToPath(import.meta.url), '--child', '--corpus', corpus, '--preset', preset],
        {
          encoding: 'utf8',
          maxBuffer: 1 << 20,
        },
      );
      const r = JSON.parse(out);
      results.push(r);
      if (r.skipped) {
        console.log(`${corpus.padEnd(14)} ${preset.padEnd(9)} skipped: ${r.skipped}`);
        continue;
      }
      console.log(
        `${corpus.padEnd(14)} ${preset.padEnd(9)} ${String(r.sentences).padStart(8)} sentences ${r.megabytes.toFixed(1).padStart(6)} MB  ` +
          `fit ${r.fitSeconds.toFixed(2)} s + encode ${r.encodeSeconds.toFixed(2)} s = ${r.totalSeconds.toFixed(2)} s (cpu ${r.cpuSeconds.toFixed(2)} s)  ` +
          `${Math.round(r.sentencesPerSecond).toLocaleString('en-US').padStart(9)} sentences/s ${r.megabytesPerSecond.toFixed(1).padStart(5)} MB/s  ` +
          `peak RSS ${Math.round(r.peakRssMB)} MB` +
          (r.loadSeconds === undefined ? '' : `  (load+verify ${r.loadSeconds.toFixed(2)} s)`),
      );
    }
  }
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    // Above the core count, other processes were competing: trust cpuSeconds over wall time.
    loadAverageAtEnd: loadavg()[0],
    results,
  };
  const dir = join(here, '..', 'bench-results');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `preprocess-${report.date.replace(/[:.]/g, '-')}.json`);
  await writeFile(`${file}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
  console.log(`load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores; wrote ${file}`);
}
