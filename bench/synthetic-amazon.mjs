#!/usr/bin/env node
import { once } from 'node:events';
// A synthetic Amazon-reviews-polarity file in fastText format, for benchmarks at any size without
// the real 1.6 GB file: `__label__1` (negative) or `__label__2` (positive), a title, `: ` and a
// body, one review a line, like train.ft.txt.
//
//   node bench/synthetic-amazon.mjs --lines 3600000 --out /tmp/amazon-3.6m.ft.txt [--seed 1]
//
// Seeded: the same arguments (and the same shared data) write the same bytes. Words come from a
// Zipf distribution over the real English vocabulary of $LSTMKIT_DATA_HOME (default
// ../shared/data: imdb-50k and uci-sentiment, ranked by their frequency there; a built-in list
// when neither is present). Body lengths are log-normal (median 75 words, mean ~90, clipped to
// 250), titles 1-7 words. About 5% of a review's words are sentiment words, three in four of
// them of its own label's polarity: a model can learn ~85-95% accuracy, not 100%. Written as a
// stream in 1 MiB pieces (bounded memory); prints lines, bytes, seconds and MB/s.
import { closeSync, createWriteStream, existsSync, openSync, readSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    lines: { type: 'string', default: '100000' },
    out: { type: 'string' },
    seed: { type: 'string', default: '1' },
  },
});
const lineCount = Number(args.lines);
const seed = Number(args.seed);
if (
  !Number.isInteger(lineCount) ||
  lineCount < 0 ||
  args.out === undefined ||
  !Number.isInteger(seed)
) {
  process.stderr.write('usage: node bench/synthetic-amazon.mjs --lines N --out FILE [--seed S]\n');
  process.exit(2);
}

const POSITIVE = [
  'great',
  'excellent',
  'love',
  'loved',
  'best',
  'perfect',
  'wonderful',
  'amazing',
  'awesome',
  'recommend',
  'recommended',
  'happy',
  'favorite',
  'beautiful',
  'fantastic',
  'enjoyed',
  'easy',
  'works',
  'nice',
  'pleased',
  'superb',
  'brilliant',
  'sturdy',
  'classic',
  'fun',
  'highly',
];
const NEGATIVE = [
  'bad',
  'worst',
  'waste',
  'poor',
  'terrible',
  'disappointed',
  'disappointing',
  'boring',
  'broken',
  'returned',
  'refund',
  'useless',
  'awful',
  'horrible',
  'cheap',
  'junk',
  'stopped',
  'defective',
  'avoid',
  'unfortunately',
  'worse',
  'failed',
  'money',
  'annoying',
  'mess',
  'garbage',
];
const FALLBACK = `the and a to of i it is this in that for was with you but on not my as have
are be they so one all at book just like very if can or good has would product from an what
had there get about me will out more time when up than use only really other which great no
them some well do story after it's their even any because work first read much also our could
been buy were your we into used quality movie how bought its make think price over these
album songs film characters again little better two too years does most love back never way
still new sound easy did then where off made many set long find life while music people ever
same recommend give another best should end before while those old us since thing go both`.split(
  /\s+/,
);

/** Words of the shared data by frequency (most frequent first), or the built-in list. */
function vocabulary() {
  const home = process.env.LSTMKIT_DATA_HOME ?? resolve(root, '..', 'shared', 'data');
  const files = [
    join(home, 'imdb-50k', 'IMDB_aclImdb_50k.csv'),
    join(home, 'uci-sentiment', 'amazon_cells_labelled.txt'),
    join(home, 'uci-sentiment', 'imdb_labelled.txt'),
    join(home, 'uci-sentiment', 'yelp_labelled.txt'),
  ].filter((file) => existsSync(file));
  const counts = new Map();
  const buffer = Buffer.alloc(16 << 20); // the first 16 MB of a file rank its words well enough
  for (const file of files) {
    const fd = openSync(file, 'r');
    const bytes = readSync(fd, buffer, 0, buffer.length, 0);
    closeSync(fd);
    const text = buffer.toString('utf8', 0, bytes).toLowerCase().replaceAll('<br />', ' ');
    for (const [word] of text.matchAll(/[a-z]+(?:'[a-z]+)?/g)) {
      counts.set(word, (counts.get(word) ?? 0) + 1);
    }
  }
  const ranked = [...counts]
    .filter(([, count]) => count >= 3)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, 30_000)
    .map(([word]) => word);
  return ranked.length >= 1000 ? { words: ranked, source: files } : { words: FALLBACK, source: [] };
}

// mulberry32: small, fast, seeded; uint32 out.
let state = seed >>> 0 || 0x9e3779b9;
function nextU32() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}
const uniform = () => nextU32() / 4294967296;

/**
 * Zipf-Mandelbrot over ranks (exponent 1, offset 2.7). A 64k-slot table over the CDF (small
 * enough to stay in cache) answers the frequent ranks at once; a slot spanning several rare
 * ranks is searched in the cumulative probabilities.
 */
function zipfSampler(size) {
  const SLOT_BITS = 16;
  const slots = 1 << SLOT_BITS;
  const cumulative = new Float64Array(size);
  let total = 0;
  for (let rank = 0; rank < size; rank++) total += 1 / (rank + 2.7);
  let sum = 0;
  for (let rank = 0; rank < size; rank++) {
    sum += 1 / (rank + 2.7) / total;
    cumulative[rank] = sum;
  }
  cumulative[size - 1] = 1;
  // first[s]: the rank at the start of slot s; the slot's ranks are first[s] .. first[s + 1].
  const first = new Int32Array(slots + 1);
  let rank = 0;
  for (let slot = 0; slot <= slots; slot++) {
    while (rank < size - 1 && cumulative[rank] <= slot / slots) rank++;
    first[slot] = rank;
  }
  return () => {
    const u = nextU32();
    const slot = u >>> (32 - SLOT_BITS);
    let low = first[slot];
    let high = first[slot + 1];
    if (low === high) return low;
    const x = u / 4294967296;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (cumulative[mid] <= x) low = mid + 1;
      else high = mid;
    }
    return low;
  };
}

/** Log-normal word count: median 75, sigma 0.6 (mean ~90), clipped to [4, 250]. */
function bodyLength() {
  const normal = Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  return Math.min(250, Math.max(4, Math.round(75 * Math.exp(0.6 * normal))));
}

const { words, source } = vocabulary();
const zipf = zipfSampler(words.length);
const SENTIMENT_SHARE = 0.05;
const OWN_POLARITY = 0.75;

// Every word's bytes in one array, plain then capitalised: the file is assembled in a byte
// buffer from contiguous memory (separate Buffers or strings run at a fifth of the speed).
const lexicon = [...words, ...POSITIVE, ...NEGATIVE];
const FIRST_POSITIVE = words.length;
const FIRST_NEGATIVE = FIRST_POSITIVE + POSITIVE.length;
const CAPITAL = lexicon.length;
const encoded = [...lexicon, ...lexicon.map((w) => w[0].toUpperCase() + w.slice(1))].map((w) =>
  Buffer.from(w),
);
const pool = Buffer.concat(encoded);
const offsets = new Int32Array(encoded.length + 1);
for (let i = 0; i < encoded.length; i++) offsets[i + 1] = offsets[i] + encoded[i].length;

/** The index of a word in `lexicon`: a sentiment word 5% of the time, else a Zipf draw. */
function word(positive) {
  if (uniform() >= SENTIMENT_SHARE) return zipf();
  const own = uniform() < OWN_POLARITY;
  return own === positive
    ? FIRST_POSITIVE + (nextU32() % POSITIVE.length)
    : FIRST_NEGATIVE + (nextU32() % NEGATIVE.length);
}

const PIECE = 1 << 20;
// A review is at most 257 words of at most ~40 bytes: the margin keeps one from overflowing.
const buffer = Buffer.alloc(PIECE + (64 << 10));
let at = 0;
const SPACE = 0x20;
function put(index) {
  const end = offsets[index + 1];
  for (let i = offsets[index]; i < end; i++) buffer[at++] = pool[i];
}
const LABELS = [Buffer.from('__label__1 '), Buffer.from('__label__2 ')];

function review() {
  const positive = (nextU32() & 1) === 1;
  const label = LABELS[positive ? 1 : 0];
  for (let i = 0; i < label.length; i++) buffer[at++] = label[i];
  const titleWords = 1 + (nextU32() % 7);
  for (let i = 0; i < titleWords; i++) {
    if (i > 0) buffer[at++] = SPACE;
    put(word(positive) + (i === 0 ? CAPITAL : 0));
  }
  buffer[at++] = 0x3a; // ':'
  const length = bodyLength();
  let sentence = 0;
  let sentenceLength = 8 + (nextU32() % 14);
  for (let i = 0; i < length; i++) {
    buffer[at++] = SPACE;
    put(word(positive) + (sentence === 0 ? CAPITAL : 0));
    sentence++;
    if (sentence === sentenceLength || i === length - 1) {
      buffer[at++] = 0x2e; // '.'
      sentence = 0;
      sentenceLength = 8 + (nextU32() % 14);
    } else if (sentence > 3 && nextU32() % 12 === 0) {
      buffer[at++] = 0x2c; // ','
    }
  }
  buffer[at++] = 0x0a;
}

const started = performance.now();
const out = createWriteStream(resolve(args.out));
let bytes = 0;
const flush = async () => {
  bytes += at;
  // A copy: the buffer is reused while the stream may still hold the piece.
  if (!out.write(Buffer.from(buffer.subarray(0, at)))) await once(out, 'drain');
  at = 0;
};
for (let i = 0; i < lineCount; i++) {
  review();
  if (at >= PIECE) await flush();
}
await flush();
out.end();
await once(out, 'finish');
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  `${JSON.stringify({
    out: resolve(args.out),
    lines: lineCount,
    bytes,
    seconds: Number(seconds.toFixed(2)),
    megabytesPerSecond: Number((bytes / 1e6 / seconds).toFixed(1)),
    seed,
    vocabulary: words.length,
    vocabularyFrom: source.length > 0 ? source : 'built-in list',
  })}
`,
);
