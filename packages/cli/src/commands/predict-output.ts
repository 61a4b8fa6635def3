import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { LstmkitError } from '@lstmkit/preprocess';
import type { OutputStream } from '../cli-io.js';
import { usageError } from '../errors/cli-error.js';

export const predictFormats = ['text', 'jsonl', 'tsv'] as const;
export type PredictFormat = (typeof predictFormats)[number];

const formatOfExtension: Record<string, PredictFormat> = {
  '.jsonl': 'jsonl',
  '.json': 'jsonl',
  '.ndjson': 'jsonl',
  '.tsv': 'tsv',
};

/**
 * --format, else --json, else the --output file's extension (.jsonl/.json/.ndjson, .tsv; others
 * JSON lines), else JSON lines for --input and today's aligned text lines for texts given as
 * arguments, --file and stdin.
 */
export function resolveFormat(flags: {
  format?: PredictFormat;
  json?: boolean;
  output?: string;
  input?: string;
}): PredictFormat {
  if (flags.format !== undefined) {
    if (flags.json && flags.format !== 'jsonl') {
      throw usageError(`--json asks for JSON lines but --format says ${flags.format}; give one`);
    }
    return flags.format;
  }
  if (flags.json) return 'jsonl';
  if (flags.output !== undefined) {
    return formatOfExtension[extname(flags.output).toLowerCase()] ?? 'jsonl';
  }
  return flags.input !== undefined ? 'jsonl' : 'text';
}

/** Where predictions go, chunk by chunk, waiting while the reader is behind (backpressure). */
export interface PredictionSink {
  write(chunk: string): Promise<void>;
  /** All written: make the output visible (a file: rename the temp file into place). */
  commit(): Promise<void>;
  /** Stop and leave nothing half-written behind (a file: delete the temp file). */
  abort(): Promise<void>;
}

async function writeWithBackpressure(stream: Writable, chunk: string): Promise<void> {
  if (!stream.write(chunk)) await once(stream, 'drain');
}

export function stdoutSink(stdout: OutputStream): PredictionSink {
  return {
    async write(chunk) {
      // process.stdout is a Writable; an embedder's OutputStream may only have write().
      if (stdout.write(chunk) === false && 'once' in stdout)
        await once(stdout as Writable, 'drain');
    },
    async commit() {},
    async abort() {},
  };
}

/**
 * Refuses an --output that is a directory, the input itself, in a missing directory, or (without
 * --force) an existing file: before the model loads, so a mistake costs nothing.
 */
export async function checkOutputPath(
  output: string,
  cwd: string,
  input: string | undefined,
  force: boolean,
): Promise<string> {
  const path = resolve(cwd, output);
  const existing = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  const folder = await stat(dirname(path)).catch(() => undefined);
  if (folder === undefined || !folder.isDirectory()) {
    throw new LstmkitError('FILE_NOT_FOUND', `no such directory for --output: ${dirname(output)}`, {
      hint: 'create the directory first',
    });
  }
  if (existing === undefined) return path;
  if (existing.isDirectory()) {
    throw new LstmkitError('IS_A_DIRECTORY', `--output ${output} is a directory; give a file path`);
  }
  if (input !== undefined) {
    const source = await stat(resolve(cwd, input)).catch(() => undefined);
    if (source !== undefined && source.ino === existing.ino && source.dev === existing.dev) {
      throw usageError(`--output ${output} is the input file; write the predictions elsewhere`);
    }
  }
  if (!force) {
    throw usageError(
      `--output ${output} already exists`,
      'add --force to replace it, or choose another --output',
    );
  }
  return path;
}

/**
 * Writes to a temp file in the output's directory and renames it into place when complete, so
 * the output is never seen half-written, and an interrupted or failed run leaves no trace.
 */
export function fileSink(path: string): PredictionSink {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const stream: WriteStream = createWriteStream(temp, { flags: 'wx' });
  let failure: Error | undefined;
  // Kept until the next write or commit throws it: an unheard 'error' would crash the process.
  stream.on('error', (error) => {
    failure = error;
  });
  const removeTemp = async () => {
    stream.destroy();
    await rm(temp, { force: true });
  };
  return {
    async write(chunk) {
      if (failure !== undefined) throw failure;
      await writeWithBackpressure(stream, chunk);
    },
    async commit() {
      try {
        if (failure !== undefined) throw failure;
        stream.end();
        await finished(stream);
        await rename(temp, path);
      } catch (error) {
        await removeTemp();
        throw error;
      }
    },
    abort: removeTemp,
  };
}
