import type { Dataset, Example } from '../dataset';
import { LstmkitError } from '../errors';
import { checkLabel } from './label-index';
import type { Malformed, RawRecord, RecordOrMalformed } from './raw-record';

const LENIENT_HINT =
  'Fix the record, or load with lenient: true (CLI: --lenient) to skip and count malformed records.';

/** Gathers records into a Dataset: strict mode throws on the first malformed one. */
export class Collector {
  readonly records: RawRecord[] = [];
  readonly skipped: Malformed[] = [];

  constructor(
    private readonly lenient: boolean,
    private readonly labels: ReadonlyMap<string, number> | undefined,
  ) {}

  async drain(source: AsyncIterable<RecordOrMalformed>): Promise<void> {
    for await (const item of source) {
      const malformed = 'malformed' in item ? item.malformed : checkLabel(item.record, this.labels);
      if (malformed === undefined) this.records.push((item as { record: RawRecord }).record);
      else if (this.lenient) this.skipped.push(malformed);
      else
        throw new LstmkitError(
          'INVALID_DATASET_RECORD',
          `${malformed.file}:${malformed.line}: ${malformed.reason}`,
          { hint: LENIENT_HINT },
        );
    }
  }

  /** `indexOf` maps a raw label (already checked) to its index in `labelNames`. */
  toDataset(
    name: string,
    labelNames: readonly string[],
    indexOf: (label: string) => number,
  ): Dataset {
    if (this.records.length === 0) {
      const why =
        this.skipped.length > 0
          ? `all ${this.skipped.length} records were malformed`
          : 'it holds no records';
      throw new LstmkitError('DATASET_EMPTY', `${name}: no examples (${why})`);
    }
    const examples = this.records.map((r): Example => {
      const example: Example = { text: r.text, label: indexOf(r.label) };
      if (r.split !== undefined) example.split = r.split;
      return example;
    });
    return { name, examples, labelNames: [...labelNames], skipped: this.skipped };
  }
}

export function indexMap(names: readonly string[]): Map<string, number> {
  return new Map(names.map((n, i) => [n, i]));
}
