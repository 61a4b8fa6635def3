import type { Dataset, Example } from '../dataset';
import type {
  DatasetRecord,
  DatasetSource,
  ProgressCounter,
  SkippedRecord,
} from '../dataset-source';
import { LstmkitError } from '../errors';
import { checkLabel, sortLabelNames } from './label-index';
import type { RecordOrMalformed } from './raw-record';

const LENIENT_HINT =
  'Fix the record, or load with lenient: true (CLI: --lenient) to skip and count malformed records.';

/**
 * The checks every pass over a dataset makes, whatever its source: labels against a fixed label
 * set, strict mode throwing on the first malformed record, lenient mode skipping it, and a pass
 * that yields nothing failing with DATASET_EMPTY.
 */
export class RecordChecker {
  records = 0;
  skipped = 0;

  constructor(
    private readonly lenient: boolean,
    private readonly labels: ReadonlyMap<string, number> | undefined,
    /** Raw label (already checked) -> the label name a record carries. */
    private readonly labelOf: (label: string) => string,
    private readonly onSkipped: ((skipped: SkippedRecord) => void) | undefined,
    private readonly progress?: ProgressCounter,
  ) {}

  async *check(items: AsyncIterable<RecordOrMalformed>): AsyncGenerator<DatasetRecord> {
    for await (const item of items) {
      const malformed = 'malformed' in item ? item.malformed : checkLabel(item.record, this.labels);
      if (malformed !== undefined) {
        if (!this.lenient) {
          throw new LstmkitError(
            'INVALID_DATASET_RECORD',
            `${malformed.file}:${malformed.line}: ${malformed.reason}`,
            { hint: LENIENT_HINT },
          );
        }
        this.skipped++;
        this.onSkipped?.(malformed);
        continue;
      }
      const raw = (item as Extract<RecordOrMalformed, { record: unknown }>).record;
      const record: DatasetRecord = {
        text: raw.text,
        label: this.labelOf(raw.label),
        where: `${raw.file}:${raw.line}`,
      };
      if (raw.split !== undefined) record.split = raw.split;
      this.records++;
      yield record;
      this.progress?.addRecord();
    }
  }

  /** Call after the pass: a dataset without a single example is an error. */
  finish(name: string): void {
    this.progress?.report();
    if (this.records > 0) return;
    const why =
      this.skipped > 0 ? `all ${this.skipped} records were malformed` : 'it holds no records';
    throw new LstmkitError('DATASET_EMPTY', `${name}: no examples (${why})`);
  }
}

/** One pass of `source` gathered into a Dataset (labels sorted as `sortLabelNames` when the source has none). */
export async function collectDataset(
  source: Pick<DatasetSource, 'name' | 'labelNames' | 'records'>,
): Promise<Dataset> {
  const skipped: SkippedRecord[] = [];
  const records: Omit<DatasetRecord, 'where'>[] = [];
  for await (const r of source.records({ onSkipped: (s) => skipped.push(s) }))
    records.push({ text: r.text, label: r.label, split: r.split, weight: r.weight });
  const labelNames = source.labelNames
    ? [...source.labelNames]
    : sortLabelNames(records.map((r) => r.label));
  const index = indexMap(labelNames);
  const examples = records.map((r): Example => {
    const example: Example = { text: r.text, label: index.get(r.label) as number };
    if (r.split !== undefined) example.split = r.split;
    if (r.weight !== undefined) example.weight = r.weight;
    return example;
  });
  return { name: source.name, examples, labelNames, skipped };
}

export function indexMap(names: readonly string[]): Map<string, number> {
  return new Map(names.map((n, i) => [n, i]));
}
