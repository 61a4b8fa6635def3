import { createHash, type Hash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Dataset } from '../dataset';
import { datasetFormatOf } from '../dataset-text';
import { LstmkitError } from '../errors';
import { Collector, indexMap } from './collector';
import { describeDataHome } from './data-home';
import { sortLabelNames } from './label-index';
import {
  type DatasetFormat,
  FILE_ONLY_OPTIONS,
  type LoadDatasetOptions,
  type ResolvedLoadOptions,
  resolveLoadOptions,
} from './load-options';
import { NAMED_DATASETS, type NamedDataset } from './named-datasets';
import type { RecordOrMalformed } from './raw-record';
import { readCsv } from './read-csv';
import { readFastText } from './read-fasttext';
import { readFolders } from './read-folders';
import { readLines, type TextEncoding } from './read-lines';
import { readTsv } from './read-tsv';
import { readChecksums, sha256File } from './sha256';

/**
 * Loads a named dataset (see `namedDatasets`) from the data home, verified against its
 * SHA256SUMS, or a file or folder by path. Files stream line by line; malformed records throw
 * an error naming file and line, or with `lenient` are skipped and listed in `skipped`.
 */
export async function loadDataset(
  nameOrPath: string,
  options: LoadDatasetOptions = {},
): Promise<Dataset> {
  const o = resolveLoadOptions(options);
  const named = Object.hasOwn(NAMED_DATASETS, nameOrPath) ? NAMED_DATASETS[nameOrPath] : undefined;
  return named === undefined ? loadPath(nameOrPath, o) : loadNamed(nameOrPath, named, options, o);
}

async function loadNamed(
  name: string,
  spec: NamedDataset,
  raw: LoadDatasetOptions,
  o: ResolvedLoadOptions,
): Promise<Dataset> {
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
  for (const file of needed) {
    if (!(await isFile(join(dir, file)))) {
      throw new LstmkitError(
        'DATASET_NOT_FOUND',
        `Dataset "${name}" not found: ${join(dir, file)} does not exist (data home ${home.dir}, ${home.origin})`,
        {
          hint: `Set LSTMKIT_DATA_HOME to a folder that holds ${name}/, or place ${needed.join(', ')} in ${dir}. The data: ${spec.source}.`,
        },
      );
    }
  }
  const sums = o.verify ? await readChecksums(join(dir, 'SHA256SUMS')) : undefined;
  const collector = new Collector(o.lenient, new Map(Object.entries(spec.labels)));
  for (const fileName of spec.files) {
    const file = join(dir, fileName);
    const expected = sums?.get(fileName);
    if (sums !== undefined && expected === undefined) {
      throw new LstmkitError(
        'DATASET_CHECKSUM_MISMATCH',
        `${join(dir, 'SHA256SUMS')} has no checksum for ${fileName}`,
      );
    }
    const hash = expected === undefined ? undefined : createHash('sha256');
    try {
      await collector.drain(readFormat(spec.format, file, 'utf-8', spec.csv, hash));
    } catch (error) {
      // A record error in a corrupted file is a symptom; report the corruption.
      if (expected !== undefined && (await sha256File(file)) !== expected)
        throw checksumError(file, expected, error);
      throw error;
    }
    if (hash !== undefined && expected !== undefined && hash.digest('hex') !== expected)
      throw checksumError(file, expected);
  }
  return collector.toDataset(name, spec.labelNames, (label) => spec.labels[label] as number);
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

async function loadPath(path: string, o: ResolvedLoadOptions): Promise<Dataset> {
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
  const declared = o.labelNames === undefined ? undefined : indexMap(o.labelNames);
  const collector = new Collector(o.lenient, declared);
  await collector.drain(
    readFormat(format, path, o.encoding, { text: o.textColumn, label: o.labelColumn }),
  );
  const labelNames = o.labelNames ?? sortLabelNames(collector.records.map((r) => r.label));
  const index = declared ?? indexMap(labelNames);
  return collector.toDataset(path, labelNames, (label) => index.get(label) as number);
}

function readFormat(
  format: DatasetFormat,
  path: string,
  encoding: TextEncoding,
  csv: { text: string; label: string; split?: string } | undefined,
  hash?: Hash,
): AsyncIterable<RecordOrMalformed> {
  switch (format) {
    case 'tsv':
      return readTsv(path, readLines(path, encoding, hash));
    case 'fasttext':
      return readFastText(path, readLines(path, encoding, hash));
    case 'csv':
      return readCsv(
        path,
        readLines(path, encoding, hash),
        csv ?? { text: 'text', label: 'label' },
      );
    case 'folders':
      return readFolders(path, encoding);
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

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() === true;
}
