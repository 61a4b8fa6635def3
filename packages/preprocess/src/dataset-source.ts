import type { Dataset } from './dataset';

/** One labelled record as a source yields it; labels are names, mapped to indices by the trainer. */
export interface DatasetRecord {
  text: string;
  label: string;
  /** A split the dataset gives itself (imdb-50k). */
  split?: 'train' | 'validation' | 'test';
  /** Loss weight (default 1). */
  weight?: number;
  /** Where it came from, for error messages: `file:line` or `examples[i]`. */
  where?: string;
}

/** A malformed record skipped in lenient mode. */
export interface SkippedRecord {
  file: string;
  line: number;
  reason: string;
}

/** How far a pass has got: bytes read (files; 0 in memory) and records yielded. */
export interface ReadProgress {
  bytes: number;
  records: number;
}

export interface ReadOptions {
  /** Called at most every ~64 KiB or 1000 records, and once at the end of a pass. */
  onProgress?: (progress: ReadProgress) => void;
  /** Lenient mode: called for each malformed record skipped. */
  onSkipped?: (skipped: SkippedRecord) => void;
}

/** A dataset that can be read any number of times, one record at a time. */
export interface DatasetSource {
  /** Dataset name or file path. */
  readonly name: string;
  /** Known before reading: a named dataset's labels, the `labelNames` load option, an in-memory Dataset's. */
  readonly labelNames: readonly string[] | undefined;
  /** Total bytes a pass reads (files), for progress and ETA; undefined in memory. */
  readonly bytes: number | undefined;
  /** Total records when known without reading (in memory); undefined for files. */
  readonly count: number | undefined;
  /**
   * SHA-256 (hex) identifying the content: files hash their bytes (named datasets: over their
   * verified SHA256SUMS entries, no re-read), in memory the records. Cached after the first call.
   */
  digest(): Promise<string>;
  /** One pass. Strict mode throws LstmkitError naming file:line; lenient mode calls onSkipped. */
  records(options?: ReadOptions): AsyncIterable<DatasetRecord>;
}

/** Progress reports no more often than every `PROGRESS_BYTES` bytes or `PROGRESS_RECORDS` records. */
export const PROGRESS_BYTES = 64 << 10;
export const PROGRESS_RECORDS = 1000;

/** Counts a pass and calls `onProgress` throttled: two comparisons per record otherwise. */
export class ProgressCounter {
  bytes = 0;
  records = 0;
  private reportedBytes = 0;
  private reportedRecords = 0;

  constructor(private readonly onProgress: ((progress: ReadProgress) => void) | undefined) {}

  addBytes(bytes: number): void {
    this.bytes += bytes;
    if (this.bytes - this.reportedBytes >= PROGRESS_BYTES) this.report();
  }

  addRecord(): void {
    this.records++;
    if (this.records - this.reportedRecords >= PROGRESS_RECORDS) this.report();
  }

  report(): void {
    this.reportedBytes = this.bytes;
    this.reportedRecords = this.records;
    this.onProgress?.({ bytes: this.bytes, records: this.records });
  }
}

/** An in-memory Dataset as a source (labels by `dataset.labelNames`). */
export function datasetSource(dataset: Dataset): DatasetSource {
  let digest: Promise<string> | undefined;
  return {
    name: dataset.name,
    labelNames: [...dataset.labelNames],
    bytes: undefined,
    count: dataset.examples.length,
    digest() {
      digest ??= digestOf(dataset);
      return digest;
    },
    async *records(options: ReadOptions = {}) {
      for (const skipped of dataset.skipped) options.onSkipped?.(skipped);
      const progress = new ProgressCounter(options.onProgress);
      const { examples, labelNames } = dataset;
      for (let i = 0; i < examples.length; i++) {
        const example = examples[i] as Dataset['examples'][number];
        const record: DatasetRecord = {
          text: example.text,
          label: labelNames[example.label] as string,
          where: `examples[${i}]`,
        };
        if (example.split !== undefined) record.split = example.split;
        if (example.weight !== undefined) record.weight = example.weight;
        yield record;
        progress.addRecord();
      }
      progress.report();
    },
  };
}

// Web Crypto, so the browser entry can use it too: the records as JSON lines, hashed once.
async function digestOf(dataset: Dataset): Promise<string> {
  const lines = [JSON.stringify(dataset.labelNames)];
  for (const e of dataset.examples)
    lines.push(JSON.stringify([e.text, e.label, e.split ?? null, e.weight ?? null]));
  const bytes = new TextEncoder().encode(lines.join('\n'));
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('');
}
