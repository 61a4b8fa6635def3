import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import {
  type DatasetRecord,
  type DatasetSource,
  ProgressCounter,
  type ReadOptions,
} from '../dataset-source';
import { datasetFormatOf } from '../dataset-text';
import { LstmkitError } from '../errors';
import { indexMap, RecordChecker } from './collector';
import { describeDataHome } from './data-home';
import {
  type DatasetFormat,
  FILE_ONLY_OPTIONS,
  type LoadDatasetOptions,
  type ResolvedLoadOptions,
  resolveLoadOptions,
} from './load-options';
import { NAMED_DATASETS, type NamedDataset } from './named-datasets';
import type { RecordOrMalformed } from './raw-record';
import { type CsvColumns, readCsv } from './read-csv';
import { readFastText } from './read-fasttext';
import { listFolders, readFolders } from './read-folders';
import { readLines, type TextEncoding } from './read-lines';
import { readTsv } from './read-tsv';
import { readChecksums, sha256File } from './sha256';

/**
 * The streaming counterpart of `loadDataset` (same options, same validation, same errors): a
 * named dataset from the data home, verified against its SHA256SUMS on every pass, or a file or
 * folder by path. Opening checks the path, format and options; each `records()` pass streams
 * the data again, so memory does not grow with the dataset.
 */
export async function openDataset(
  nameOrPath: string,
  options: LoadDatasetOptions = {},
): Promise<DatasetSource> {
  const o = resolveLoadOptions(options);
  const named = Object.hasOwn(NAMED_DATASETS, nameOrPath) ? NAMED_DATASETS[nameOrPath] : undefined;
  return named === undefined ? openPath(nameOrPath, o) : openNamed(nameOrPath, named, options, o);
}

/** A part of a dataset read in one go: a file (or a folder of label folders). */
interface Part {
  file: string;
  read(onChunk: (bytes: Buffer) => void): AsyncIterable<RecordOrMalformed>;
  /** SHA-256 the part must have (verified named datasets). */
  expected?: string;
}

interface PassSpec {
  name: string;
  parts: readonly Part[];
  lenient: boolean;
  labels: ReadonlyMap<string, number> | undefined;
  labelOf: (label: string) => string;
  /** Hash the bytes of each part read completely and hand the SHA-256 here (a digest for free). */
  onHashed?: ((hex: string) => void) | undefined;
}

async function* pass(spec: PassSpec, options: ReadOptions): AsyncGenerator<DatasetRecord> {
  const progress = new ProgressCounter(options.onProgress);
  const checker = new RecordChecker(
    spec.lenient,
    spec.labels,
    spec.labelOf,
    options.onSkipped,
    progress,
  );
  for (const part of spec.parts) {
    const hashing = part.expected !== undefined || spec.onHashed !== undefined;
    const hash = hashing ? createHash('sha256') : undefined;
    const onChunk = (bytes: Buffer) => {
      hash?.update(bytes);
      progress.addBytes(bytes.length);
    };
    try {
      yield* checker.check(part.read(onChunk));
    } catch (error) {
      // A record error in a corrupted file is a symptom; report the corruption.
      if (part.expected !== undefined && (await sha256File(part.file)) !== part.expected)
        throw checksumError(part.file, part.expected, error);
      throw error;
    }
    if (hash === undefined) continue;
    const hex = hash.digest('hex');
    if (part.expected !== undefined && hex !== part.expected)
      throw checksumError(part.file, part.expected);
    spec.onHashed?.(hex);
  }
  checker.finish(spec.name);
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

async function openNamed(
  name: string,
  spec: NamedDataset,
  raw: LoadDatasetOptions,
  o: ResolvedLoadOptions,
): Promise<DatasetSource> {
  for (const option of FILE_ONLY_OPTIONS) {
    if (raw[option] !== undefined) {
      throw new LstmkitError(
        'INVALID_LOAD_OPTIONS',
        `loadDataset option ${option} does not apply to the named dataset "${name}" (its layout is fixed)`,
      );
    }
  }
  const home = describeDataHome(o.dataHome);
  const dir = join(home.dir, name);
  const needed = o.verify ? [...spec.files, 'SHA256SUMS'] : spec.files;
  let bytes = 0;
  for (const file of needed) {
    const info = await stat(join(dir, file)).catch(() => undefined);
    if (info?.isFile() !== true) {
      throw new LstmkitError(
        'DATASET_NOT_FOUND',
        `Dataset "${name}" not found: ${join(dir, file)} does not exist (data home ${home.dir}, ${home.origin})`,
        {
          hint: `Set LSTMKIT_DATA_HOME to a folder that holds ${name}/, or place ${needed.join(', ')} in ${dir}. The data: ${spec.source}.`,
        },
      );
    }
    if (file !== 'SHA256SUMS') bytes += info.size;
  }
  const sums = o.verify ? await readChecksums(join(dir, 'SHA256SUMS')) : undefined;
  const parts = spec.files.map((fileName): Part => {
    const file = join(dir, fileName);
    const expected = sums?.get(fileName);
    const part: Part = {
      file,
      read: (onChunk) => {
        // Checked when the pass reaches the file, after the files before it.
        if (sums !== undefined && expected === undefined) {
          throw new LstmkitError(
            'DATASET_CHECKSUM_MISMATCH',
            `${join(dir, 'SHA256SUMS')} has no checksum for ${fileName}`,
          );
        }
        return readFormat(spec.format, file, 'utf-8', spec.csv, onChunk);
      },
    };
    if (expected !== undefined) part.expected = expected;
    return part;
  });
  const passSpec: PassSpec = {
    name,
    parts,
    lenient: o.lenient,
    labels: new Map(Object.entries(spec.labels)),
    labelOf: (label) => spec.labelNames[spec.labels[label] as number] as string,
  };
  let digest: Promise<string> | undefined;
  return {
    name,
    labelNames: [...spec.labelNames],
    bytes,
    count: undefined,
    digest() {
      // The SHA256SUMS lines of the files: verified on every pass, so no read is needed here.
      digest ??= Promise.all(
        parts.map(
          async (p) => `${p.expected ?? (await sha256File(p.file))}  ${relative(dir, p.file)}\n`,
        ),
      ).then((lines) => sha256Hex(lines.join('')));
      return digest;
    },
    records: (options = {}) => pass(passSpec, options),
  };
}

function checksumError(file: string, expected: string, cause?: unknown): LstmkitError {
  return new LstmkitError(
    'DATASET_CHECKSUM_MISMATCH',
    `${file}: SHA-256 does not match SHA256SUMS (expected ${expected})`,
    {
      hint: 'The file is corrupt or was changed: download it again, or pass verify: false to load it anyway.',
      cause,
    },
  );
}

async function openPath(path: string, o: ResolvedLoadOptions): Promise<DatasetSource> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) {
    throw new LstmkitError('DATASET_NOT_FOUND', `Dataset file or folder ${path} does not exist`, {
      hint: `Give the path of a .tsv, .csv, fastText file or a folder of label folders, or one of the named datasets: ${Object.keys(NAMED_DATASETS).join(', ')}.`,
    });
  }
  const format = o.format ?? (info.isDirectory() ? 'folders' : await detectFormat(path));
  if ((format === 'folders') !== info.isDirectory()) {
    throw new LstmkitError(
      'INVALID_DATASET_FORMAT',
      `${path}: format '${format}' needs ${format === 'folders' ? 'a folder' : 'a file'}`,
    );
  }
  const columns = { text: o.textColumn, label: o.labelColumn };
  const folders = format === 'folders' ? await listFolders(path) : undefined;
  let bytes = info.size;
  if (folders !== undefined) {
    bytes = 0;
    for (const { file } of folders) bytes += (await stat(file)).size;
  }
  // What shapes the records besides the bytes: the same file read with another column is other data.
  const reading = JSON.stringify({
    format,
    encoding: o.encoding,
    ...(format === 'csv' ? columns : {}),
    labelNames: o.labelNames ?? null,
  });
  let digest: Promise<string> | undefined;
  const passSpec: PassSpec = {
    name: path,
    parts: [
      { file: path, read: (onChunk) => readFormat(format, path, o.encoding, columns, onChunk) },
    ],
    lenient: o.lenient,
    labels: o.labelNames === undefined ? undefined : indexMap(o.labelNames),
    labelOf: (label) => label,
  };
  // Until the digest is known, a complete pass computes it on the way (no hashing after that).
  const settle = (hex: Promise<string>) => {
    digest ??= hex.then((content) => sha256Hex(`${content}\n${reading}`));
    passSpec.onHashed = undefined;
    return digest;
  };
  if (folders === undefined) passSpec.onHashed = (hex) => settle(Promise.resolve(hex));
  return {
    name: path,
    labelNames: o.labelNames === undefined ? undefined : [...o.labelNames],
    bytes,
    count: undefined,
    digest: () => digest ?? settle(folders === undefined ? sha256File(path) : folderDigest(path)),
    records: (options = {}) => pass(passSpec, options),
  };
}

/** Over each file's SHA-256 and path (relative to the root), in reading order. */
async function folderDigest(root: string): Promise<string> {
  const hash = createHash('sha256');
  for (const { file } of await listFolders(root))
    hash.update(`${await sha256File(file)}  ${relative(root, file)}\n`);
  return hash.digest('hex');
}

function readFormat(
  format: DatasetFormat,
  path: string,
  encoding: TextEncoding,
  csv: CsvColumns | undefined,
  onChunk: (bytes: Buffer) => void,
): AsyncIterable<RecordOrMalformed> {
  switch (format) {
    case 'tsv':
      return readTsv(path, readLines(path, encoding, onChunk));
    case 'fasttext':
      return readFastText(path, readLines(path, encoding, onChunk));
    case 'csv':
      return readCsv(
        path,
        readLines(path, encoding, onChunk),
        csv ?? { text: 'text', label: 'label' },
      );
    case 'folders':
      return readFolders(path, encoding, onChunk);
  }
}

async function detectFormat(path: string): Promise<DatasetFormat> {
  const isTxt = extname(path).toLowerCase() === '.txt';
  return datasetFormatOf(path, isTxt ? await readHead(path, 12) : '');
}

async function readHead(path: string, bytes: number): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(bytes), 0, bytes, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}
